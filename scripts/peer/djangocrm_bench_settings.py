from .settings import *  # NOQA

DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "djcrm",
                         "USER": "app", "PASSWORD": "app", "HOST": "127.0.0.1", "PORT": "5433"}}
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
