"""A choice among a form's fields (下拉选择) that Up/Down pass by, as they do the other fields.

Textual's ``Select`` opens its list on Up and Down too: in a form whose fields are walked
with Up/Down (the finding panel) the list opened on the way and kept the arrows, so the
next field was never reached and what was typed next went elsewhere. Here Enter or space
opens the list; Up and Down move to the previous or next field.
"""

from __future__ import annotations

from typing import TypeVar

from textual.binding import Binding
from textual.widgets import Select

Value = TypeVar("Value")


class FieldSelect(Select[Value]):
    """A ``Select`` opened by Enter or space only; Up/Down move between the fields."""

    BINDINGS = [
        Binding("enter,space", "show_overlay", show=False),
        Binding("down", "app.focus_next", show=False),
        Binding("up", "app.focus_previous", show=False),
    ]
