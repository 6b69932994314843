# The two set-up commands (see README): `make run` and `make test`.
# `make docs` builds the documentation site (docs/, mkdocs.yml) into site/; `make screenshots`
# takes the manual's pictures again with the console tour.
# Each installs what is missing (Debian packages, then a .venv with the app), and is quick when
# everything is already there.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# libvlc + plugins (playback), ffmpeg (preflight, demo films), Xvfb + openbox (headless screens),
# CJK fonts (bilingual screens), the xcb/GL libraries PySide6 needs, zbar (QR decoding in tests),
# imagemagick/poppler (screenshots, PDF checks), python3-venv (the .venv), mpv (cut benchmark),
# pulseaudio + pulseaudio-utils (the listening tests: a private sound server, parec),
# chromium + chromium-driver (the HTML report and vote page in a real headless browser),
# xdotool, wmctrl (real X key events and window-manager closes in the door and console tests),
# mutter + xwayland (a real GNOME Wayland session in the tests), xscreensaver + dbus-daemon +
# dbus-bin (a real screensaver and D-Bus services on private buses), libxss1 (the X screensaver
# suspended while the night runs), gsettings + GNOME's schemas (Do Not Disturb).
APT_PACKAGES := vlc-bin vlc-plugin-base vlc-plugin-video-output libvlc5 ffmpeg \
	xvfb xauth openbox x11-utils x11-xserver-utils fonts-noto-cjk fonts-noto-core \
	libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 \
	libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0 libegl1 libgl1 \
	libfontconfig1 libdbus-1-3 zbar-tools imagemagick poppler-utils python3-venv make mpv \
	pulseaudio pulseaudio-utils chromium chromium-driver xdotool wmctrl \
	x11-xkb-utils mutter xwayland xscreensaver dbus-daemon dbus-bin libxss1 libglib2.0-bin \
	gsettings-desktop-schemas gcc libc6-dev

.PHONY: run test test-fast test-loaded deps system-deps lint typecheck unit bench demo docs screenshots clean

run: deps
	@if [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
		echo "No display here: running under Xvfb (nothing will be visible)."; \
		xvfb-run -a -s "-screen 0 1920x1080x24" $(PY) main.py; \
	else $(PY) main.py; fi

# The suite runs in two passes (tools/test_passes.py): the parallel pass, every test not marked
# `serial`, on TEST_WORKERS processes (pytest-xdist; a test file stays on one worker, so its
# module fixtures are built once); and the serial pass, the tests that measure real time (sound
# heard through PulseAudio, fades, key-burst timing), on SERIAL_LANES lanes (each lane's tests
# have their own display, sound server, ports and temp dirs). SERIAL_SCHEDULE=beside (the
# default) starts both passes together: the parallel pass leaves a quarter of the CPU idle and
# the real-time tests mostly wait, so together they take about as long as the parallel pass
# alone; `after` runs the serial pass once the parallel pass has passed (docs/dev/testing.md,
# "The schedule"). Each pass's output is printed whole when both have ended.
# Both passes start the longest files first (tests/file_order.py). `make test` prints how long
# each pass took (docs/dev/testing.md). `make test-fast` is the inner loop: no real-time and no
# slow tests, about a minute or two. `make test-loaded` runs what `make test` runs with two
# busy-loop processes spinning (tools/loaded_run.py): it must pass on a loaded laptop too.
TEST_WORKERS ?= 2
SERIAL_LANES ?= 2
SERIAL_SCHEDULE ?= beside
BUSY_LOOPS ?= 2
PYTEST := QT_QPA_PLATFORM=offscreen $(PY) -m pytest
PASSES := --workers $(TEST_WORKERS) --lanes $(SERIAL_LANES) --schedule $(SERIAL_SCHEDULE)

test: deps
	@t0=$$(date +%s); status=0; \
	$(MAKE) --no-print-directory lint typecheck docs || status=$$?; t1=$$(date +%s); t2=$$t1; \
	if [ $$status -eq 0 ]; then \
		$(PY) -m tools.test_passes $(PASSES) || status=$$?; t2=$$(date +%s); \
	fi; \
	echo "make test: lint + typecheck + docs $$((t1 - t0)) s, test passes $$((t2 - t1)) s" \
		"($(SERIAL_SCHEDULE): the line above has each pass's time), total $$((t2 - t0)) s" \
		"(load average $$(cut -d' ' -f1-3 /proc/loadavg), $$(nproc) cores)"; \
	exit $$status

test-fast: deps
	@t0=$$(date +%s); status=0; \
	$(PYTEST) -n $(TEST_WORKERS) --dist loadfile -m "not serial and not slow" -q || status=$$?; \
	echo "make test-fast: $$(( $$(date +%s) - t0 )) s (load average $$(cut -d' ' -f1-3 /proc/loadavg))"; \
	exit $$status

test-loaded: deps
	$(PY) -m tools.loaded_run --busy $(BUSY_LOOPS) $(PASSES)

lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: deps
	$(VENV)/bin/mypy

bench: deps
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest tests/bench -s -p no:randomly -o faulthandler_timeout=0 -o timeout=0

demo: deps
	$(PY) main.py demo

# The documentation site, strict (a broken link, a missing page or a reference that disagrees
# with the code fails), offline: no plugin fetches anything. Open site/index.html.
docs: deps
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict --quiet --site-dir site

# The manual's pictures: the console tour at 1366x768 beside a 1920x1080 projector, under its
# own Xvfb, then resized and reduced into docs/images/ (commit them).
screenshots: deps
	$(PY) -m tests.console_tour --laptops 1366x768 --out build/screenshots/tour
	$(PY) -m tools.docs_screenshots --tour build/screenshots/tour --out docs/images

deps: system-deps $(STAMP)

system-deps:
	@command -v dpkg-query >/dev/null || { echo "Not a Debian/Ubuntu system: install VLC 3, ffmpeg, Xvfb and Noto CJK fonts yourself."; exit 0; }; \
	installed=" $$(dpkg-query -W -f='$${db:Status-Abbrev}$${Package}\n' $(APT_PACKAGES) 2>/dev/null \
		| sed -n 's/^ii *//p' | tr '\n' ' ')"; \
	missing=""; \
	for p in $(APT_PACKAGES); do \
		case "$$installed" in *" $$p "*) ;; *) missing="$$missing $$p";; esac; \
	done; \
	if [ -n "$$missing" ]; then \
		sudo=""; [ "$$(id -u)" -ne 0 ] && sudo="sudo"; \
		echo "Installing Debian packages:$$missing"; \
		$$sudo apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache *.egg-info site
