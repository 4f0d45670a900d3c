"""Record sources: each kind reads its files or pages as units of import (see base.py)."""
