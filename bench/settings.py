"""Settings for `make bench`: production settings (DEBUG off) plus the floor views' URLs, served over
plain HTTP on 127.0.0.1. Only the benchmark uses this module; production URLs never include the floors."""

from recovery.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# No manifest to build before a run: the pages name their static files the same either way.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
