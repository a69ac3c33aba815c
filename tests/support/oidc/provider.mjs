// A real OpenID Connect provider for the tests (oidc-provider), on loopback only.
//
// Usage: node provider.mjs PORT   (PORT 0 = any free port; the issuer is printed when ready)
// Environment:
//   OIDC_CLIENT_ID, OIDC_CLIENT_SECRET          the one confidential client
//   OIDC_REDIRECT_URIS, OIDC_POST_LOGOUT_URIS   space-separated URIs registered for it
//   OIDC_ACCOUNTS_FILE  JSON {accountId: {preferred_username, name, email, groups}} (the account
//                       id typed at the login form is the subject, sub); read on
//                       every sign-in, so a test can change an account's groups between logins
//   OIDC_KEY_FILE       optional: the signing key (private JWK) is written here, so a test can
//                       forge a token that is validly signed yet expired
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const env = (name) => {
  const value = process.env[name];
  if (!value) {
    console.error(`missing ${name}`);
    process.exit(2);
  }
  return value;
};

const clientId = env('OIDC_CLIENT_ID');
const clientSecret = env('OIDC_CLIENT_SECRET');
const redirectUris = env('OIDC_REDIRECT_URIS').split(/\s+/).filter(Boolean);
const postLogoutUris = (process.env.OIDC_POST_LOGOUT_URIS || '').split(/\s+/).filter(Boolean);
const accountsFile = env('OIDC_ACCOUNTS_FILE');

// A fresh key per run: nothing signed by an earlier run (or by anyone else) verifies.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = {
  ...privateKey.export({ format: 'jwk' }),
  kid: `test-${randomBytes(6).toString('hex')}`,
  use: 'sig',
  alg: 'RS256',
};
if (process.env.OIDC_KEY_FILE) {
  writeFileSync(process.env.OIDC_KEY_FILE, JSON.stringify(signingKey), { mode: 0o600 });
}

const CLAIMS = {
  openid: ['sub'],
  profile: ['name', 'preferred_username'],
  email: ['email'],
  groups: ['groups'],
};

function readAccount(id) {
  const accounts = JSON.parse(readFileSync(accountsFile, 'utf8'));
  return Object.hasOwn(accounts, id) ? accounts[id] : undefined;
}

const server = createServer();
server.listen(Number(process.argv[2] || process.env.OIDC_PORT || 0), '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: redirectUris,
        post_logout_redirect_uris: postLogoutUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    jwks: { keys: [signingKey] },
    claims: CLAIMS,
    scopes: Object.keys(CLAIMS),
    cookies: { keys: [randomBytes(32).toString('hex')] },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      IdToken: 600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
    async findAccount(_ctx, id) {
      const account = readAccount(id);
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          return { ...account, sub: id };
        },
      };
    },
    // The test client is first-party: consent is granted at once (the login form is the only
    // interaction a test has to drive).
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId
        || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope(Object.keys(CLAIMS).join(' '));
      grant.addOIDCClaims(Object.values(CLAIMS).flat());
      await grant.save();
      return grant;
    },
  });
  server.on('request', provider.callback());
  console.log(`OIDC_READY ${issuer}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
