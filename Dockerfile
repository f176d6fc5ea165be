# The image of the container action (action.yml: runs.using docker).
#
# GitHub builds this file with Docker when a workflow uses the action by
# branch or tag; a release pins action.yml to the prebuilt image instead
# (see README, "Releasing the action").  The runner
# builds with the Dockerfile's own directory as the context, so this file
# lives at the root, beside src/.  action/Dockerfile is the same runtime
# image without RUN, assembled by publish itself from action/rootfs.sh.
#
# Stage 1 builds publish with Debian's -dev packages; the runtime stage
# keeps only the binary, the shared libraries it links, CA certificates
# and tzdata.

FROM debian:bookworm AS build
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      build-essential pkg-config \
      libgit2-dev libcurl4-openssl-dev libjansson-dev libarchive-dev \
      libssl-dev zlib1g-dev libdeflate-dev libzstd-dev libpcre2-dev libyaml-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Makefile ./
COPY src ./src
RUN make -j"$(nproc)" build/publish CFLAGS="-O2 -g0" \
 && strip build/publish \
 && ./build/publish --version

FROM debian:bookworm-slim
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libgit2-1.5 libcurl4 libjansson4 libarchive13 libssl3 \
      zlib1g libdeflate0 libzstd1 libpcre2-8-0 libyaml-0-2 ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/* /var/log/*
COPY --from=build /src/build/publish /usr/local/bin/publish
# The runner mounts the workspace at /github/workspace and makes it the
# working directory; publish reads it there whatever uid owns it.
ENTRYPOINT ["/usr/local/bin/publish"]
CMD ["action"]
