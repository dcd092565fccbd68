"""Every dialog of PQM (对话框): modal screens that return their answer with ``dismiss()``."""
