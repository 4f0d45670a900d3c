"""Pure analysis of a trial's frozen data cut: dataset contract in, results dict out."""
