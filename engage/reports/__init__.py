"""Council review: participation figures, charts, a printable report and exports."""
