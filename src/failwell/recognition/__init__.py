"""Recognition for learning: kudos and awards."""
