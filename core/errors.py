class LoupeError(Exception):
    """The one domain error: services raise it, views show its message beside the form.

    `message` is written for the person at the counter; `field` names the form field it
    belongs to, or None for the whole form.
    """

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code

    def add_to_form(self, form) -> None:
        field = self.field if self.field in getattr(form, "fields", {}) else None
        form.add_error(field, self.message)
