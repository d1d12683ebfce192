# One image for the gateway and every service; deploy/k8s chooses the process per Deployment.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOME=/tmp

WORKDIR /app

COPY pyproject.toml ./
COPY requirements/ requirements/
COPY shared/ shared/
COPY services/ services/
COPY gateway/ gateway/
COPY config/ config/

# Install with the project's single pin set, pre-compile bytecode (the root filesystem is
# read-only at run time) and drop the build leftovers from the source tree.
RUN pip install -c requirements/constraints.txt . \
    && python -m compileall -q shared services gateway \
    && rm -rf build *.egg-info \
    && groupadd --gid 10001 app \
    && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /tmp --shell /usr/sbin/nologin app

USER 10001:10001
EXPOSE 8000 8080

# The gateway by default; services override the command (see deploy/k8s/base/<service>.yaml).
CMD ["gunicorn", "-c", "gateway/gunicorn.conf.py", "gateway.app:create_app()"]
