"""Analysis over a data cut, PDF rendering, report runs and the dataset export."""
