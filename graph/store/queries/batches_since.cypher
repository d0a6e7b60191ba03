// The batch log since a kept snapshot (whose last batch had seq $seq): how many batches are
// at or before it now (an undo removes one), and every later one with its changes, in order.
CALL () {
  OPTIONAL MATCH (b:Batch) WHERE b.seq <= $seq
  RETURN count(b) AS before
}
CALL () {
  OPTIONAL MATCH (b:Batch) WHERE b.seq > $seq
  WITH b ORDER BY b.seq
  RETURN collect(b {.seq, .who, .changes}) AS later
}
RETURN before, later
