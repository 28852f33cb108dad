"""Moving the organisation between databases: export, import (restore) and online backup."""
