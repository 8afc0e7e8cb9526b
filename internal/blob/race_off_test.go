//go:build !race

package blob_test

// raceOn: see race_on_test.go.
const raceOn = false
