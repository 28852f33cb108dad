"""Has this happened before? Similar failures, problems and known errors, lessons before deploying."""
