"""Where a run's work happens: this machine's process pool or a Dask cluster."""
