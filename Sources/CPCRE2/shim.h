#ifndef SLUICE_CPCRE2_SHIM_H
#define SLUICE_CPCRE2_SHIM_H
// 8-bit code units: Swift strings are UTF-8, so subjects need no conversion.
// Swift sees the width-suffixed names (pcre2_compile_8, pcre2_code_8, ...).
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#endif
