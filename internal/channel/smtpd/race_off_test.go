//go:build !race

package smtpd_test

// raceOn: see race_on_test.go.
const raceOn = false
