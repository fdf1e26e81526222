/* ingest_util.c - hashing, country codes and quoting for tally-ingest. */
#include "ingest_util.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "tsv.h"

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static uint64_t load64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

#define SIPROUND                                                                        \
	do {                                                                            \
		v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);               \
		v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                                  \
		v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                                  \
		v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);               \
	} while (0)

uint64_t ingest_siphash(const uint8_t key[16], const void *data, size_t len)
{
	const uint8_t *in = data;
	uint64_t k0 = load64(key), k1 = load64(key + 8);
	uint64_t v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
	uint64_t b = (uint64_t)len << 56;
	size_t whole = len - (len % 8);

	for (size_t i = 0; i < whole; i += 8) {
		uint64_t mword = load64(in + i);
		v3 ^= mword;
		SIPROUND;
		SIPROUND;
		v0 ^= mword;
	}
	for (size_t i = 0; i < len % 8; i++)
		b |= (uint64_t)in[whole + i] << (8 * i);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

void ingest_key_from_salt(uint8_t key[16], const char *salt, size_t len)
{
	static const uint8_t k0[16] = "tally-ingest-key";
	uint64_t a = ingest_siphash(k0, salt, len);
	uint8_t k1[16];
	memcpy(k1, k0, 16);
	k1[0] ^= 1;
	uint64_t b = ingest_siphash(k1, salt, len);
	for (int i = 0; i < 8; i++) {
		key[i] = (uint8_t)(a >> (8 * i));
		key[8 + i] = (uint8_t)(b >> (8 * i));
	}
}

uint64_t ingest_fingerprint(const void *data, size_t len)
{
	static const uint8_t k[16] = "tally-fingerprnt";
	return ingest_siphash(k, data, len);
}

static const struct {
	const char *cc, *name;
} countries[] = {
	{"US", "United States"}, {"US", "United States of America"}, {"US", "USA"},
	{"GB", "United Kingdom"}, {"GB", "UK"}, {"GB", "Great Britain"},
	{"CA", "Canada"}, {"AU", "Australia"}, {"NZ", "New Zealand"}, {"IE", "Ireland"},
	{"DE", "Germany"}, {"FR", "France"}, {"ES", "Spain"}, {"IT", "Italy"},
	{"PT", "Portugal"}, {"NL", "Netherlands"}, {"NL", "The Netherlands"}, {"BE", "Belgium"},
	{"LU", "Luxembourg"}, {"AT", "Austria"}, {"CH", "Switzerland"}, {"SE", "Sweden"},
	{"NO", "Norway"}, {"DK", "Denmark"}, {"FI", "Finland"}, {"IS", "Iceland"},
	{"PL", "Poland"}, {"CZ", "Czech Republic"}, {"CZ", "Czechia"}, {"SK", "Slovakia"},
	{"HU", "Hungary"}, {"RO", "Romania"}, {"BG", "Bulgaria"}, {"GR", "Greece"},
	{"HR", "Croatia"}, {"SI", "Slovenia"}, {"EE", "Estonia"}, {"LV", "Latvia"},
	{"LT", "Lithuania"}, {"UA", "Ukraine"}, {"RU", "Russia"}, {"RU", "Russian Federation"},
	{"TR", "Turkey"}, {"TR", "Türkiye"}, {"IL", "Israel"}, {"AE", "United Arab Emirates"},
	{"SA", "Saudi Arabia"}, {"IN", "India"}, {"CN", "China"}, {"JP", "Japan"},
	{"KR", "South Korea"}, {"KR", "Korea, Republic of"}, {"TW", "Taiwan"},
	{"HK", "Hong Kong"}, {"SG", "Singapore"}, {"MY", "Malaysia"}, {"TH", "Thailand"},
	{"ID", "Indonesia"}, {"PH", "Philippines"}, {"VN", "Vietnam"}, {"MX", "Mexico"},
	{"BR", "Brazil"}, {"AR", "Argentina"}, {"CL", "Chile"}, {"CO", "Colombia"},
	{"PE", "Peru"}, {"ZA", "South Africa"}, {"NG", "Nigeria"}, {"KE", "Kenya"},
	{"EG", "Egypt"}, {"MA", "Morocco"}, {"PK", "Pakistan"}, {"BD", "Bangladesh"},
	{"KZ", "Kazakhstan"}, {"PR", "Puerto Rico"},
};

/* ISO 3166-1 alpha-3 -> alpha-2, "AAA BB " per entry, in alpha-3 order
 * (GitHub Sponsors writes "DEU"). */
static const char alpha3[] =
	"ABW AW AFG AF AGO AO ALB AL AND AD ARE AE ARG AR ARM AM ATG AG AUS AU AUT AT AZE AZ "
	"BEL BE BGD BD BGR BG BHR BH BHS BS BIH BA BLR BY BLZ BZ BMU BM BOL BO BRA BR BRB BB "
	"BRN BN BTN BT BWA BW CAN CA CHE CH CHL CL CHN CN CIV CI CMR CM COD CD COG CG COL CO "
	"CRI CR CUB CU CYP CY CZE CZ DEU DE DMA DM DNK DK DOM DO DZA DZ ECU EC EGY EG ESP ES "
	"EST EE ETH ET FIN FI FJI FJ FRA FR FRO FO GAB GA GBR GB GEO GE GHA GH GIB GI GLP GP "
	"GRC GR GRL GL GTM GT GUM GU HKG HK HND HN HRV HR HTI HT HUN HU IDN ID IMN IM IND IN "
	"IRL IE IRN IR IRQ IQ ISL IS ISR IL ITA IT JAM JM JEY JE JOR JO JPN JP KAZ KZ KEN KE "
	"KGZ KG KHM KH KOR KR KWT KW LAO LA LBN LB LBY LY LIE LI LKA LK LTU LT LUX LU LVA LV "
	"MAC MO MAR MA MCO MC MDA MD MDG MG MDV MV MEX MX MKD MK MLT MT MMR MM MNE ME MNG MN "
	"MOZ MZ MRT MR MUS MU MWI MW MYS MY NAM NA NCL NC NGA NG NIC NI NLD NL NOR NO NPL NP "
	"NZL NZ OMN OM PAK PK PAN PA PER PE PHL PH PNG PG POL PL PRI PR PRT PT PRY PY PSE PS "
	"PYF PF QAT QA REU RE ROU RO RUS RU RWA RW SAU SA SDN SD SEN SN SGP SG SLV SV SMR SM "
	"SRB RS SVK SK SVN SI SWE SE SYR SY TCD TD THA TH TJK TJ TKM TM TTO TT TUN TN TUR TR "
	"TWN TW TZA TZ UGA UG UKR UA URY UY USA US UZB UZ VEN VE VNM VN YEM YE ZAF ZA ZMB ZM "
	"ZWE ZW ";

static int alpha3_code(const char *s, char cc[3])
{
	char up[3];
	for (int i = 0; i < 3; i++) {
		char c = s[i];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c < 'A' || c > 'Z')
			return -1;
		up[i] = c;
	}
	for (const char *p = alpha3; *p; p += 7)
		if (memcmp(p, up, 3) == 0) {
			cc[0] = p[4];
			cc[1] = p[5];
			cc[2] = '\0';
			return 0;
		}
	return -1;
}

int ingest_country_code(const char *s, size_t len, char cc[3])
{
	while (len > 0 && *s == ' ')
		s++, len--;
	while (len > 0 && s[len - 1] == ' ')
		len--;
	if (len == 2) {
		for (int i = 0; i < 2; i++) {
			char c = s[i];
			if (c >= 'a' && c <= 'z')
				c = (char)(c - 'a' + 'A');
			if (c < 'A' || c > 'Z')
				return -1;
			cc[i] = c;
		}
		cc[2] = '\0';
		if (cc[0] == 'U' && cc[1] == 'K') /* common, but not ISO 3166 */
			cc[0] = 'G', cc[1] = 'B';
		return 0;
	}
	if (len == 3 && alpha3_code(s, cc) == 0)
		return 0;
	if (len < 3 || len > 40)
		return -1;
	char first = (char)(s[0] >= 'a' && s[0] <= 'z' ? s[0] - 'a' + 'A' : s[0]);
	for (size_t i = 0; i < sizeof countries / sizeof countries[0]; i++)
		if (countries[i].name[0] == first &&
		    strlen(countries[i].name) == len && strncasecmp(countries[i].name, s, len) == 0) {
			memcpy(cc, countries[i].cc, 3);
			return 0;
		}
	return -1;
}

char *ingest_quote(char *buf, size_t cap, const char *s, size_t len)
{
	size_t k = 0;
	if (cap < 8) {
		if (cap)
			buf[0] = '\0';
		return buf;
	}
	buf[k++] = '"';
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (k + 8 >= cap || i >= 60) {
			memcpy(buf + k, "...", 3);
			k += 3;
			break;
		}
		if (c == '"' || c == '\\') {
			buf[k++] = '\\';
			buf[k++] = (char)c;
		} else if (c == '\n') {
			buf[k++] = '\\', buf[k++] = 'n';
		} else if (c == '\t') {
			buf[k++] = '\\', buf[k++] = 't';
		} else if (c == '\r') {
			buf[k++] = '\\', buf[k++] = 'r';
		} else if (c < 0x20) {
			k += (size_t)snprintf(buf + k, cap - k, "\\x%02x", c);
		} else if (c < 0x80) {
			buf[k++] = (char)c;
		} else {
			/* a whole UTF-8 sequence is copied; a stray byte (a cp1252
			 * file read as UTF-8) is escaped, so the message stays UTF-8 */
			size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
			if (n > 1 && i + n <= len && k + n + 8 < cap && tsv_valid_utf8(s + i, n)) {
				memcpy(buf + k, s + i, n);
				k += n;
				i += n - 1;
			} else {
				k += (size_t)snprintf(buf + k, cap - k, "\\x%02x", c);
			}
		}
	}
	buf[k++] = '"';
	buf[k] = '\0';
	return buf;
}
