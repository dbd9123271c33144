from django.contrib.auth.backends import ModelBackend


class ProfileBackend(ModelBackend):
    """Django's backend, reading the user's profile in the same query as the user: the language
    middleware reads it on every request, and this keeps it free."""

    def get_user(self, user_id):
        user = self.user_model_queryset().filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    def user_model_queryset(self):
        from django.contrib.auth import get_user_model

        return get_user_model()._default_manager.select_related("profile")
