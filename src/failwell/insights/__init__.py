"""The read side: cross-slice queries (home, metrics, digests, culture results)
that the pages, the API and the digest call."""
