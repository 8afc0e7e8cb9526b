package i18n

// CommonZones are IANA time zones offered as suggestions where a zone is
// chosen (an agent's, a customer's). Any zone Zone accepts may be typed;
// these cover the places most businesses and their customers are, one
// per offset and region, west to east.
var CommonZones = []string{
	"Pacific/Honolulu", "America/Anchorage", "America/Los_Angeles", "America/Vancouver",
	"America/Denver", "America/Phoenix", "America/Mexico_City", "America/Chicago",
	"America/New_York", "America/Toronto", "America/Bogota", "America/Lima",
	"America/Caracas", "America/Halifax", "America/Santiago", "America/Sao_Paulo",
	"America/Argentina/Buenos_Aires", "Atlantic/Azores", "Atlantic/Reykjavik", "UTC",
	"Europe/London", "Europe/Dublin", "Europe/Lisbon", "Africa/Casablanca", "Africa/Lagos",
	"Europe/Madrid", "Europe/Paris", "Europe/Brussels", "Europe/Amsterdam", "Europe/Berlin",
	"Europe/Zurich", "Europe/Rome", "Europe/Vienna", "Europe/Prague", "Europe/Warsaw",
	"Europe/Stockholm", "Europe/Oslo", "Europe/Copenhagen", "Africa/Cairo",
	"Africa/Johannesburg", "Europe/Athens", "Europe/Bucharest", "Europe/Helsinki",
	"Europe/Riga", "Europe/Tallinn", "Europe/Vilnius", "Europe/Kyiv", "Asia/Jerusalem",
	"Europe/Istanbul", "Europe/Minsk", "Europe/Moscow", "Asia/Riyadh", "Africa/Nairobi",
	"Asia/Tehran", "Asia/Dubai", "Europe/Samara", "Asia/Tbilisi", "Asia/Yerevan", "Asia/Baku",
	"Asia/Kabul", "Asia/Karachi", "Asia/Tashkent", "Asia/Yekaterinburg", "Asia/Kolkata",
	"Asia/Kathmandu", "Asia/Almaty", "Asia/Dhaka", "Asia/Omsk", "Asia/Bangkok",
	"Asia/Jakarta", "Asia/Novosibirsk", "Asia/Krasnoyarsk", "Asia/Shanghai",
	"Asia/Hong_Kong", "Asia/Singapore", "Asia/Taipei", "Asia/Manila", "Australia/Perth",
	"Asia/Irkutsk", "Asia/Seoul", "Asia/Tokyo", "Asia/Yakutsk", "Australia/Adelaide",
	"Australia/Brisbane", "Australia/Sydney", "Australia/Melbourne", "Asia/Vladivostok",
	"Asia/Magadan", "Pacific/Noumea", "Asia/Kamchatka", "Pacific/Auckland", "Pacific/Fiji",
}
