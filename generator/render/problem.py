"""The one error a user-edited template can cause, with a message that names the template and the tag."""


class TemplateProblem(Exception):
    """A template that cannot be rendered; the message is for the user."""
