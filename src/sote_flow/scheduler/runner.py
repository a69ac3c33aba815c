"""Wake instances exactly when their next timer is due; deliver the outbox; run upkeep.

One APScheduler date job always points at the earliest due timer. It is moved earlier when
this process saves a sooner timer (an in-process callback) and, on PostgreSQL, when any other
process does (LISTEN/NOTIFY). A slow safety poll covers anything missed, e.g. a lost
notification while the database was restarting. Every process package's housekeeping (e.g.
erasing contact details of closed cases) runs on an interval of its own.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine

from sote_flow.domain.clock import Clock, system_clock
from sote_flow.persistence.idempotency import purge_idempotency_keys
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.scheduler.listener import TimerNotificationListener
from sote_flow.scheduler.smtp import mail_sender
from sote_flow.services.audit_checkpoint import write_checkpoint
from sote_flow.services.clock_warnings import warn_due_clocks
from sote_flow.services.mail import MailSender, deliver_due_mails
from sote_flow.services.messages import route_thrown_messages
from sote_flow.services.platform import Platform
from sote_flow.services.sms import SmsSender, sms_sender
from sote_flow.services.timers import fire_due_timers, next_due

log = logging.getLogger(__name__)
WAKE_JOB = "wake-due-timers"
MAIL_JOB = "deliver-mail-now"
HOUSEKEEPING_JOB = "housekeeping"
CHECKPOINT_JOB = "audit-checkpoint"
# SpiffWorkflow fires a timer only once now is strictly later than its due time.
AFTER_DUE = timedelta(milliseconds=1)
RETRY_DELAY = timedelta(seconds=1)


class TimerScheduler:
    """Owns a background APScheduler that fires due timers for one process."""

    def __init__(
        self,
        platform: Platform,
        unit_of_work: Callable[[], UnitOfWork],
        engine: Engine | None = None,
        clock: Clock = system_clock,
        safety_poll_seconds: float = 30.0,
        sender: MailSender | None = None,
        mail_poll_seconds: float = 5.0,
        sms: SmsSender | None = None,
    ) -> None:
        self.platform = platform
        self.unit_of_work = unit_of_work
        self.clock = clock
        self.safety_poll_seconds = safety_poll_seconds
        self.sender = sender or mail_sender(platform.settings)
        self.mail_poll_seconds = mail_poll_seconds
        # None when no SMS gateway is configured: SMS rows then fail and show as failed mail.
        self.sms = sms or sms_sender(platform.settings)
        self._scheduler = BackgroundScheduler(timezone=UTC)
        self._lock = threading.Lock()
        self._listener = (
            TimerNotificationListener(engine, self.schedule)
            if engine is not None and engine.dialect.name == "postgresql"
            else None
        )

    def start(self) -> None:
        """Start the jobs; overdue timers (e.g. after a restart) fire at once."""
        self._scheduler.add_job(
            self.run_due,
            "interval",
            seconds=self.safety_poll_seconds,
            id="safety-poll",
            max_instances=1,
            coalesce=True,
        )
        # Retries come due without any notification, so the outbox is also polled (cheaply).
        self._scheduler.add_job(
            self.send_mail,
            "interval",
            seconds=self.mail_poll_seconds,
            id="mail-poll",
            max_instances=1,
            coalesce=True,
        )
        self._scheduler.add_job(
            self.run_housekeeping,
            "interval",
            minutes=self.platform.settings.housekeeping_minutes,
            id=HOUSEKEEPING_JOB,
            max_instances=1,
            coalesce=True,
        )
        if self.platform.settings.audit_checkpoint_file:
            # Daily, and once at start so restarts never skip a day.
            self._scheduler.add_job(
                self.write_audit_checkpoint,
                "interval",
                days=1,
                next_run_time=datetime.now(UTC),
                misfire_grace_time=None,
                id=CHECKPOINT_JOB,
                max_instances=1,
                coalesce=True,
            )
        self._scheduler.start()
        self.platform.timer_listeners.append(self.schedule)
        self.platform.outbox_listeners.append(self.send_mail_soon)
        if self._listener is not None:
            self._listener.start()
        self.schedule(self.clock())
        self.send_mail_soon()

    def stop(self) -> None:
        """Stop the jobs and the listener (running work finishes first)."""
        if self.schedule in self.platform.timer_listeners:
            self.platform.timer_listeners.remove(self.schedule)
        if self.send_mail_soon in self.platform.outbox_listeners:
            self.platform.outbox_listeners.remove(self.send_mail_soon)
        if self._listener is not None:
            self._listener.stop()
        self._scheduler.shutdown(wait=True)

    def schedule(self, due: datetime | None) -> None:
        """Make sure the wake job runs no later than `due`."""
        if due is None:
            return
        run_at = max(due + AFTER_DUE, self.clock())
        with self._lock:
            job = self._scheduler.get_job(WAKE_JOB)
            if job is not None and job.next_run_time is not None and job.next_run_time <= run_at:
                return
            self._scheduler.add_job(
                self.run_due,
                "date",
                run_date=run_at,
                id=WAKE_JOB,
                replace_existing=True,
                misfire_grace_time=None,
            )

    def run_due(self) -> None:
        """Fire what is due now, then point the wake job at the next due timer."""
        fired = 0
        try:
            fired = fire_due_timers(self.platform, self.unit_of_work, self.clock)
            if fired:
                log.info("fired %d timer(s)", fired)
        except Exception:  # a failing round must not stop the scheduler; the next one retries
            log.exception("firing due timers failed")
        due = next_due(self.unit_of_work)
        if due is not None and not fired and due <= self.clock():
            # Still overdue after a round that fired nothing: another scheduler holds it, or it
            # keeps failing. Look again shortly instead of spinning.
            due = self.clock() + RETRY_DELAY
        self.schedule(due)

    def send_mail_soon(self) -> None:
        """Deliver the outbox now (called after a use case queued mail)."""
        self._scheduler.add_job(
            self.send_mail,
            "date",
            run_date=self.clock(),
            id=MAIL_JOB,
            replace_existing=True,
            misfire_grace_time=None,
        )

    def send_mail(self) -> None:
        """Deliver every mail that is due and route the messages instances threw."""
        try:
            route_thrown_messages(self.platform, self.unit_of_work, self.clock)
            deliver_due_mails(
                self.platform, self.unit_of_work, self.clock, self.sender, sms=self.sms
            )
        except Exception:  # a failing round must not stop the scheduler; the next one retries
            log.exception("delivering the outbox failed")

    def run_housekeeping(self) -> None:
        """Run the general upkeep (old idempotency keys, clock escalations) and every process
        package's; one part's failure does not stop the rest."""
        try:  # answers kept for retried API writes are needed for a day, then go
            purge_idempotency_keys(self.unit_of_work, self.clock())
        except Exception:  # logged; the next round tries again
            log.exception("purging idempotency keys failed")
        try:
            for line in warn_due_clocks(self.platform, self.unit_of_work, self.clock):
                log.info("legal clocks: %s", line)
        except Exception:  # logged; the next round tries again
            log.exception("escalating legal clocks failed")
        for package in self.platform.packages:
            if package.housekeeping is None:
                continue
            try:
                done = package.housekeeping(self.platform, self.unit_of_work, self.clock)
            except Exception:  # logged; the next round tries again
                log.exception("housekeeping of %s failed", package.key)
                continue
            for line in done:
                log.info("housekeeping of %s: %s", package.key, line)

    def write_audit_checkpoint(self) -> None:
        """Append a signed checkpoint of the history chain to the configured file."""
        settings = self.platform.settings
        try:
            checkpoint = write_checkpoint(
                self.unit_of_work,
                self.clock,
                settings.audit_checkpoint_key,
                Path(settings.audit_checkpoint_file),
            )
        except Exception:  # logged; tomorrow's round tries again
            log.exception("writing the audit checkpoint failed")
            return
        log.info("audit checkpoint: %d entries", checkpoint.entries)
