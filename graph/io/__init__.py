"""Files in and out: reading CSV/XLSX, validating rows, importing a batch, the template, exports
and backups."""
