# Two entry points: `make demo` and `make test`. Both install what they need first.
VENV   ?= .venv
PYTHON ?= python3
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-stamp
VENDOR  = src/sote_flow/web/static/vendor

.PHONY: install translations demo test bench clean

install: $(STAMP) $(VENDOR)/.stamp translations

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# Front-end assets come from npm (never committed); only the ready-made bundles are served.
$(VENDOR)/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp node_modules/axe-core/axe.min.js $(VENDOR)/
	cp node_modules/fullcalendar/index.global.min.js $(VENDOR)/fullcalendar.min.js
	cp node_modules/@fullcalendar/core/locales/fi.global.min.js $(VENDOR)/fullcalendar-fi.min.js
	cp node_modules/@fullcalendar/core/locales/sv.global.min.js $(VENDOR)/fullcalendar-sv.min.js
	cp node_modules/bpmn-js/dist/bpmn-modeler.production.min.js $(VENDOR)/
	cp node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js $(VENDOR)/
	rm -rf $(VENDOR)/bpmn-js && cp -r node_modules/bpmn-js/dist/assets $(VENDOR)/bpmn-js
	# Helsinki Design System (hds-core): its built CSS; the fonts stay out (they load from a CDN),
	# site.css sets the system font stack instead.
	mkdir -p $(VENDOR)/hds
	cp node_modules/hds-core/lib/base.min.css $(VENDOR)/hds/base.min.css
	cp node_modules/hds-core/lib/components/all.min.css $(VENDOR)/hds/components.min.css
	touch $@

translations: $(STAMP)
	$(BIN)/pybabel compile -d src/sote_flow/web/translations >/dev/null

demo: install
	$(BIN)/sote-flow demo

test: install
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python bench/complete_task.py
	$(BIN)/python bench/http_complete.py
	$(BIN)/python bench/state_growth.py
	$(BIN)/python bench/inbox.py
	$(BIN)/python bench/timer_lateness.py
	$(BIN)/python bench/order_rounds.py
	$(BIN)/python bench/order_queue.py
	$(BIN)/python bench/case_queue.py
	$(BIN)/python bench/calendar_slots.py
	$(BIN)/python bench/public_form.py
	$(BIN)/python bench/instance_read.py
	$(BIN)/python bench/municipality_report.py
	$(BIN)/python bench/mail_throughput.py
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/load.py --clients 16 --seconds 30
	$(BIN)/python bench/load.py --scenario steps --seconds 60
	$(BIN)/python bench/load.py --scenario steps --database sqlite --seconds 60

clean:
	rm -rf $(VENV) node_modules $(VENDOR)
