#!/usr/bin/env bash
# Makes sure what Trellis needs on this machine is installed and running:
#   Node.js >= 20.19, PostgreSQL, RabbitMQ (with its management plugin), nginx.
# Starts PostgreSQL and RabbitMQ when installed and stopped; installs what is missing with apt
# when running as root; otherwise says what to do. Used by `make up` and `make test` (plain
# bash: it runs before anything is built). Idempotent and quick when all is in place.
#
#   infra/local/ensure-infra.sh [--no-nginx] [--browser] [--docker]
#
# --browser also installs Debian's Chromium (and a font) for the web UI's browser tests; it is
# driven by playwright-core, which never downloads a browser of its own.
# --docker also installs Debian's docker.io, starts dockerd when it is not running, and makes the
# action base image from this machine's packages (infra/images/build-base.sh): the docker site's
# tests need them. Nothing is pulled from a registry.
#
# Environment: TRELLIS_PG_ADMIN_URL (a superuser URL: then the local PostgreSQL is not touched),
# TRELLIS_RABBITMQ_MANAGEMENT_URL (default http://127.0.0.1:15672).
set -euo pipefail

want_nginx=1
want_browser=0
want_docker=0
for arg in "$@"; do
  case "$arg" in
    --no-nginx) want_nginx=0 ;;
    --browser) want_browser=1 ;;
    --docker) want_docker=1 ;;
    *) echo "usage: $0 [--no-nginx] [--browser] [--docker]" >&2; exit 2 ;;
  esac
done

export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
say() { printf 'trellis: %s\n' "$*"; }
die() { printf 'trellis: error: %s\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" -eq 0 ]; }
have() { command -v "$1" >/dev/null 2>&1; }

apt_updated=0
apt_install() {
  is_root || die "$1 is missing; install it (sudo apt-get install $*) or run this as root"
  have apt-get || die "$1 is missing and this is not a Debian-like system; install it yourself"
  if [ "$apt_updated" -eq 0 ]; then
    say "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update -qq
    apt_updated=1
  fi
  say "installing $* (apt)"
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "$@" >/dev/null
}

# Waits for a TCP port on 127.0.0.1, using bash's /dev/tcp (no curl on a minimal Debian).
wait_port() {
  local port=$1 what=$2 seconds=${3:-60}
  for _ in $(seq 1 "$((seconds * 5))"); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  die "$what does not listen on 127.0.0.1:$port after ${seconds}s"
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

ensure_node() {
  have node || die "Node.js is missing: install Node.js 20.19 or newer (https://nodejs.org)"
  local version
  version=$(node -p 'process.versions.node')
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
    || die "Node.js $version is too old: Trellis needs 20.19 or newer"
  have npm || die "npm is missing (it comes with Node.js)"
}

ensure_postgres() {
  if [ -n "${TRELLIS_PG_ADMIN_URL:-}" ]; then
    return 0 # an external server: nothing to do here
  fi
  if ! have pg_lsclusters; then
    apt_install postgresql
  fi
  local down
  down=$(pg_lsclusters --no-header 2>/dev/null | awk '$4 != "online" { print $1 " " $2 }')
  if [ -z "$(pg_lsclusters --no-header 2>/dev/null)" ]; then
    die "PostgreSQL is installed but has no cluster; create one: pg_createcluster --start 15 main"
  fi
  while read -r version cluster; do
    [ -n "$version" ] || continue
    is_root || die "PostgreSQL $version/$cluster is stopped; start it: sudo pg_ctlcluster $version $cluster start"
    say "starting PostgreSQL $version/$cluster"
    pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start
  done <<<"$down"
  for _ in $(seq 1 150); do
    pg_isready -q -h /var/run/postgresql && break
    sleep 0.2
  done
  pg_isready -q -h /var/run/postgresql || die "PostgreSQL does not accept connections on /var/run/postgresql"
  # The admin tool and the tests connect as the current OS user over the socket; on a fresh
  # Debian root has no role (and peer authentication): create it as the postgres OS user.
  if is_root && ! psql -h /var/run/postgresql -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
    say "creating the PostgreSQL superuser role root"
    (cd / && runuser -u postgres -- psql -v ON_ERROR_STOP=1 -qc 'CREATE ROLE root SUPERUSER LOGIN') >/dev/null
  fi
}

ensure_rabbitmq() {
  local api=${TRELLIS_RABBITMQ_MANAGEMENT_URL:-http://127.0.0.1:15672}
  case "$api" in
    http://127.0.0.1:*|http://localhost:*) ;;
    *) return 0 ;; # an external broker: its owner runs it
  esac
  if ! have rabbitmq-server; then
    apt_install rabbitmq-server
  fi
  if ! port_open 5672; then
    is_root || die "RabbitMQ is stopped; start it: sudo rabbitmq-server -detached"
    if rabbitmqctl -q ping >/dev/null 2>&1; then
      # The node runs but its application was stopped (rabbitmqctl stop_app): start the application.
      say "starting the RabbitMQ application (its node was running)"
      rabbitmqctl -q start_app >/dev/null
    else
      say "starting RabbitMQ"
      rabbitmq-server -detached
    fi
    timeout 180 rabbitmqctl -q await_startup >/dev/null || die "RabbitMQ did not start; see /var/log/rabbitmq/"
    wait_port 5672 RabbitMQ 60
  fi
  local management_port=${api##*:}
  management_port=${management_port%%/*}
  if ! port_open "$management_port"; then
    is_root || die "the RabbitMQ management plugin is off; enable it: sudo rabbitmq-plugins enable rabbitmq_management"
    say "enabling the RabbitMQ management plugin"
    rabbitmq-plugins enable -q rabbitmq_management >/dev/null
    wait_port "$management_port" "the RabbitMQ management API" 60
  fi
}

ensure_nginx() {
  have nginx && return 0
  is_root || die "nginx is missing; install it: sudo apt-get install nginx-light"
  # Debian's package starts a default site on port 80 at install: forbid service starts for
  # the duration (policy-rc.d), unless the machine already has a policy of its own.
  local policy=/usr/sbin/policy-rc.d ours=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    ours=1
  fi
  local package=nginx
  if apt-cache show nginx-light >/dev/null 2>&1; then package=nginx-light; fi
  if ! apt_install "$package"; then
    [ "$ours" -eq 1 ] && rm -f "$policy"
    die "could not install nginx"
  fi
  [ "$ours" -eq 1 ] && rm -f "$policy"
  # If it was started anyway (no policy-rc.d support), stop the default site: Trellis runs its own nginx.
  if [ -s /run/nginx.pid ] && kill -0 "$(cat /run/nginx.pid)" 2>/dev/null; then
    nginx -s quit 2>/dev/null || true
  fi
  have nginx || die "nginx was installed but is not on PATH"
}

ensure_browser() {
  [ -x /usr/bin/chromium ] && return 0
  apt_install chromium fonts-dejavu-core
}

docker_answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

# Debian's Docker engine, running, with the action base image. dockerd is started in the
# background (its log in /var/log/trellis-dockerd.log) when no engine answers on the socket.
ensure_docker() {
  if ! have dockerd || ! have docker; then apt_install docker.io; fi
  if ! docker_answers; then
    is_root || die "the Docker engine is not running; start it: sudo systemctl start docker (or sudo dockerd &)"
    say "starting dockerd"
    nohup dockerd --host unix:///var/run/docker.sock >/var/log/trellis-dockerd.log 2>&1 &
    for _ in $(seq 1 150); do docker_answers && break; sleep 0.2; done
    docker_answers || die "dockerd did not answer within 30 s; see /var/log/trellis-dockerd.log"
  fi
  if [ ! -x /usr/bin/python3.11 ]; then apt_install python3.11; fi
  bash "$(dirname "$0")/../images/build-base.sh" >/dev/null
}

ensure_node
ensure_postgres
ensure_rabbitmq
if [ "$want_nginx" -eq 1 ]; then ensure_nginx; fi
if [ "$want_browser" -eq 1 ]; then ensure_browser; fi
if [ "$want_docker" -eq 1 ]; then ensure_docker; fi
say "PostgreSQL, RabbitMQ$([ "$want_nginx" -eq 1 ] && echo ', nginx')$([ "$want_browser" -eq 1 ] && echo ', Chromium')$([ "$want_docker" -eq 1 ] && echo ', Docker') ready"
