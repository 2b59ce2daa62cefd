"""The error a business rule raises when it refuses a change; views show it on the form, the API
and socket handlers answer it as a 400/422 or an error reply."""

from __future__ import annotations

from flask_wtf import FlaskForm


class OperationError(Exception):
    """A business rule refused a change; ``field`` names the form field it concerns, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def attach_to(self, form: FlaskForm) -> None:
        """Show this error on the form: under its field, or at the form's top."""
        target = getattr(form, self.field, None) if self.field else None
        if target is not None:
            target.errors = [*target.errors, self.message]
        else:
            form.form_errors.append(self.message)
