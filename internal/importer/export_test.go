package importer

// SetXMLLimits sets the XML reader's limits for a test; it returns a
// function that puts them back.
func SetXMLLimits(file, record int64) (restore func()) {
	f, r := maxXMLFile, maxXMLRecord
	maxXMLFile, maxXMLRecord = file, record
	return func() { maxXMLFile, maxXMLRecord = f, r }
}
