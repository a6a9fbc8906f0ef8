FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY api api
COPY activities activities
COPY core core
COPY detection detection
COPY integrations integrations
COPY sandbox sandbox
COPY store store
COPY workflows workflows
COPY worker.py alembic.ini ./
RUN pip install --no-cache-dir .
