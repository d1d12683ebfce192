# syntax=docker/dockerfile:1
# One image per process: `--target gateway` and one target per service (planning, delivery,
# assessment, feedback, resources, archive, webhooks). deploy/images/build builds and tags all eight.
#
# Stages:
#   dependencies  a virtualenv with the pinned packages, from wheels only (nothing is compiled,
#                 so neither stage needs a compiler)
#   swagger-ui    Swagger UI's assets from npm, so /api/docs works without internet access
#   runtime       the interpreter, the virtualenv and the non-root user; no pip, no build tools
#   <app>         runtime + only the code that app imports, and its command
#
# Base images are pinned to a patch release. Pin them by digest as well in your own registry
# (docs/deployment.md, "Images").
ARG PYTHON_IMAGE=python:3.11.15-slim-bookworm
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${PYTHON_IMAGE} AS dependencies
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /build
COPY pyproject.toml requirements/constraints.txt ./
# The project's runtime dependencies, exactly as pinned by requirements/constraints.txt.
RUN python -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' \
        > requirements.txt \
    && python -m venv /opt/venv \
    && /opt/venv/bin/pip install --only-binary=:all: -c constraints.txt -r requirements.txt \
    && /opt/venv/bin/pip uninstall -y pip

FROM ${NODE_IMAGE} AS swagger-ui
WORKDIR /build
RUN npm pack --silent swagger-ui-dist@5.35.0 \
    && tar -xzf swagger-ui-dist-5.35.0.tgz \
    && mv package /build/swagger-ui

FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOME=/tmp
# No package installer in the final images: the interpreter's own pip goes too.
RUN python -m pip uninstall -y pip \
    && groupadd --gid 10001 app \
    && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /tmp --shell /usr/sbin/nologin app
COPY --from=dependencies /opt/venv /opt/venv
WORKDIR /app
COPY config/ config/
COPY shared/ shared/
COPY services/__init__.py services/
USER 10001:10001
# nameko and gunicorn both finish their running work on SIGTERM (see deploy/k8s: preStop and
# terminationGracePeriodSeconds leave them time to).
STOPSIGNAL SIGTERM

FROM runtime AS gateway
USER root
# The gateway imports each service only through its contract (request/response schemas).
COPY services/planning/__init__.py services/planning/contract.py services/planning/
COPY services/delivery/__init__.py services/delivery/contract.py services/delivery/
COPY services/assessment/__init__.py services/assessment/contract.py services/assessment/
COPY services/feedback/__init__.py services/feedback/contract.py services/feedback/
COPY services/resources/__init__.py services/resources/contract.py services/resources/
COPY services/archive/__init__.py services/archive/contract.py services/archive/
COPY services/webhooks/__init__.py services/webhooks/contract.py services/webhooks/
COPY gateway/ gateway/
COPY --from=swagger-ui /build/swagger-ui /app/var/swagger-ui
RUN python -m compileall -q config shared services gateway
USER 10001:10001
ENV SWAGGER_UI_DIR=/app/var/swagger-ui GATEWAY_BIND=0.0.0.0:8080
EXPOSE 8080
CMD ["gunicorn", "-c", "gateway/gunicorn.conf.py", "gateway.app:create_app()"]

FROM runtime AS planning
USER root
COPY services/planning/ services/planning/
RUN python -m compileall -q shared services
USER 10001:10001
ENV OPS_ADDRESS=0.0.0.0:8000
EXPOSE 8000
CMD ["nameko", "run", "--config", "config/nameko.yaml", "services.planning.service:PlanningService"]

FROM runtime AS delivery
USER root
COPY services/delivery/ services/delivery/
RUN python -m compileall -q shared services
USER 10001:10001
ENV OPS_ADDRESS=0.0.0.0:8000
EXPOSE 8000
CMD ["nameko", "run", "--config", "config/nameko.yaml", "services.delivery.service:DeliveryService"]

FROM runtime AS assessment
USER root
COPY services/assessment/ services/assessment/
RUN python -m compileall -q shared services
USER 10001:10001
ENV OPS_ADDRESS=0.0.0.0:8000
EXPOSE 8000
CMD ["nameko", "run", "--config", "config/nameko.yaml", "services.assessment.service:AssessmentService"]

FROM runtime AS feedback
USER root
COPY services/feedback/ services/feedback/
RUN python -m compileall -q shared services
USER 10001:10001
ENV OPS_ADDRESS=0.0.0.0:8000
EXPOSE 8000
CMD ["nameko", "run", "--config", "config/nameko.yaml", "services.feedback.service:FeedbackService"]

FROM runtime AS resources
USER root
COPY services/resources/ services/resources/
RUN python -m compileall -q shared services
USER 10001:10001
ENV OPS_ADDRESS=0.0.0.0:8000
EXPOSE 8000
CMD ["nameko", "run", "--config", "config/nameko.yaml", "services.resources.service:ResourcesService"]

FROM runtime AS archive
USER root
COPY services/archive/ services/archive/
RUN python -m compileall -q shared services
USER 10001:10001
ENV OPS_ADDRESS=0.0.0.0:8000
EXPOSE 8000
CMD ["nameko", "run", "--config", "config/nameko.yaml", "services.archive.service:ArchiveService"]

FROM runtime AS webhooks
USER root
COPY services/webhooks/ services/webhooks/
RUN python -m compileall -q shared services
USER 10001:10001
ENV OPS_ADDRESS=0.0.0.0:8000
EXPOSE 8000
CMD ["nameko", "run", "--config", "config/nameko.yaml", "services.webhooks.service:WebhooksService"]
