from django.apps import AppConfig


class CosmoConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cosmo"
    verbose_name = "Cosmo"

    def ready(self):
        from cosmo import token_auth

        token_auth.connect()
