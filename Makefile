# Trellis: the two commands of the README, and a few helpers.
#
#   make up      install, build, start everything in the background, print the URL and login
#   make down    stop everything `make up` started
#   make reset   start over: delete this checkout's instance (databases, broker, .trellis/); yes=1 skips the question
#   make test    everything CI runs (lint, layers, types, protos, unit, integration, e2e)
#   make status  what runs, with health
#   make logs    recent logs (make logs name=studio follow=1)

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

ADM := node adm/dist/cli.js

.PHONY: help up down reset status logs test test-infra infra install protos build webui check-adm openapi

help:
	@sed -n '3,9s/^# //p' Makefile

# PostgreSQL, RabbitMQ (+ management plugin) and nginx installed and running; Node.js new enough.
infra:
	@bash infra/local/ensure-infra.sh

# `npm ci` only when node_modules is missing or older than the lock file (npm writes
# node_modules/.package-lock.json at every install).
install: node_modules/.package-lock.json

node_modules/.package-lock.json: package-lock.json
	@echo "trellis: installing dependencies (npm ci)"
	@bash infra/local/npm-install.sh
	@touch $@

protos: install
	@npm run --silent --if-present protos:gen

build: install protos
	@echo "trellis: building"
	@npm run --silent build

# The web UI is rebuilt only when something vite reads is newer than what it wrote last time:
# its sources, index.html, config files and package.json, the SDK (and the API description it is
# generated from), the workflow language it shares with studio, or the installed packages. Its
# browser tests (e2e/) are not part of the build.
WEBUI_INPUTS := $(shell find webui \( -path webui/dist -o -path webui/node_modules -o -path webui/e2e \) -prune -o -type f -print) \
	$(shell find sdk/src -name '*.ts' -not -path '*/generated/*') docs/openapi.json \
	$(shell find packages/workflow-language/src packages/kernel/src -name '*.ts' -not -name '*.test.ts')

webui: install webui/dist/index.html

webui/dist/index.html: $(WEBUI_INPUTS) package-lock.json node_modules/.package-lock.json
	@npm run --silent --if-present build -w webui
	@touch $@

# docs/openapi.json, the API the SDK is generated from: the five services' documents, described
# from their built routes (none is started). Run it after changing a route, and commit the file.
openapi: build
	@npm run --silent openapi
	@node sdk/scripts/generate.mjs

up: infra build webui
	@$(ADM) up

down: check-adm
	@$(ADM) down

# `make reset --yes` cannot work (make takes --yes as its own option): `make reset yes=1`.
reset: check-adm
	@$(ADM) reset $(if $(yes),--yes,)

status: check-adm
	@$(ADM) status

logs: check-adm
	@$(ADM) logs $(name) $(if $(follow),-f,)

check-adm:
	@test -f adm/dist/cli.js || { echo "trellis: not built yet: run make up"; exit 1; }

# Tests also need Debian's Chromium for the web UI's browser tests, and a Docker engine with the
# action base image for the docker site's.
test-infra:
	@bash infra/local/ensure-infra.sh --browser --docker

test: test-infra build webui
	@npm run check
