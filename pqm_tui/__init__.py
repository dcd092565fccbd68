"""PQM: keyboard-first property quality management (物业服务品质管理) in the terminal."""

__version__ = "0.1.0"
