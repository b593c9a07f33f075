# The fifo-init image: /fifo-init and its shared libraries, nothing else
# (one layer: the release's rootfs tarball). For an image author:
#   COPY --from=fifo-init:VERSION / /                    # scratch, alpine, busybox: no glibc of their own
#   COPY --from=fifo-init:VERSION /fifo-init /fifo-init  # debian, ubuntu, distroless cc: their own glibc
# Built with dist/ as the context, after `npm run build`:
#   docker build -f build/image.Dockerfile -t fifo-init:VERSION dist   # VERSION: package.json's
#   DOCKER_BUILDKIT=1 docker build --platform linux/arm64 -f build/image.Dockerfile -t fifo-init:VERSION-arm64 dist
# BuildKit sets TARGETARCH from --platform; the classic builder sets nothing,
# hence the :-amd64 (or --build-arg TARGETARCH=arm64). Not `ARG TARGETARCH=amd64`:
# BuildKit keeps a declared default over its own value, and the arm64 image
# would get the amd64 files. test/containers/docker.test.ts builds both, and a
# Dockerfile that uses the first with COPY --from.
FROM scratch
ARG TARGETARCH
# A local .tar.gz given to ADD is unpacked: owner 0:0, the tarball's modes.
ADD fifo-init-rootfs-${TARGETARCH:-amd64}.tar.gz /
ENTRYPOINT ["/fifo-init"]
