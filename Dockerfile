FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir . \
    && SECRET_KEY=build-only-collectstatic python manage.py collectstatic --noinput
RUN useradd --create-home loupe && chown -R loupe /app
USER loupe
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "-b", "0.0.0.0:8000", "-w", "3"]
