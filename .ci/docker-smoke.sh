#!/usr/bin/env bash
# Build the fake-server image and smoke-test it, where a Docker daemon answers.
#
# Usage: bash .ci/docker-smoke.sh
#
# Without a daemon (`docker info` fails) it says so and exits 0; likewise when the base images
# cannot be pulled (a machine without registry access). Otherwise it builds fake-server/Dockerfile,
# checks the image runs as a non-root user and exposes 8774, starts it with the port published on
# 127.0.0.1 only, waits for the control plane, and runs the harness against it (every
# ecs-openstack case through the container). Exits non-zero on any failure; the container and
# the image tag it created are removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v docker >/dev/null 2>&1 || ! timeout 20 docker info >/dev/null 2>&1; then
    echo "docker: no daemon here, skipping the image build and smoke test"
    exit 0
fi

for base in rust:1-slim-bookworm gcr.io/distroless/cc-debian12:nonroot; do
    if ! docker image inspect "$base" >/dev/null 2>&1 && ! docker pull -q "$base" >/dev/null; then
        echo "docker: cannot pull the base image $base here, skipping the image build and smoke test"
        exit 0
    fi
done

tag="fake-server:ci-smoke-$$"
container=""
cleanup() {
    if [ -n "$container" ]; then docker rm -f "$container" >/dev/null 2>&1 || true; fi
    docker image rm "$tag" >/dev/null 2>&1 || true
}
trap cleanup EXIT

echo "docker: building $tag from fake-server/Dockerfile"
docker build -q -f fake-server/Dockerfile -t "$tag" . >/dev/null

user=$(docker image inspect -f '{{.Config.User}}' "$tag")
ports=$(docker image inspect -f '{{json .Config.ExposedPorts}}' "$tag")
if [ "$user" != "65532:65532" ]; then
    echo "docker: the image runs as '$user', expected the non-root 65532:65532" >&2
    exit 1
fi
if [ "$ports" != '{"8774/tcp":{}}' ]; then
    echo "docker: the image exposes $ports, expected 8774/tcp" >&2
    exit 1
fi
size=$(docker image inspect -f '{{.Size}}' "$tag")
echo "docker: image ok (user $user, exposes 8774/tcp, $((size / 1024 / 1024)) MiB)"

container=$(docker run -d -p 127.0.0.1::8774 "$tag" --profile ecs-openstack)
port=$(docker port "$container" 8774/tcp | head -n1 | sed 's/.*://')
base="http://127.0.0.1:$port"
for _ in $(seq 1 50); do
    if curl -fsS "$base/_fake/" >/dev/null 2>&1; then break; fi
    sleep 0.2
done
if ! curl -fsS "$base/_fake/" | grep -q '"fake_server"'; then
    echo "docker: the container did not answer on $base/_fake/; its log:" >&2
    docker logs "$container" >&2 || true
    exit 1
fi
echo "docker: container answers on $base"

rm -rf reports/docker-smoke
cargo run -q -p harness -- --target "$base" --profile ecs-openstack --report-dir reports/docker-smoke
echo "docker: the harness passed every ecs-openstack case against the container"
