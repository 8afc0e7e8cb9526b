//go:build race

package blob_test

// raceOn: the race detector instruments every allocation, so the heap
// figures of a run under it say nothing of a normal run's.
const raceOn = true
