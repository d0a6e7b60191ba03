// The restore has written everything: in its last transaction, the mark goes.
MATCH (m:TularMeta {id: 'restore'})
DELETE m
