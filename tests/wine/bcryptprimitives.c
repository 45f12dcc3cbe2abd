/* ProcessPrng for wine 8.0 (Debian 12), which has no bcryptprimitives.dll: Windows 10 and 11
 * have it, and Rust's standard library takes its random bytes from it, so korpus.exe does not
 * load under that wine without it. Built with mingw-w64 and put beside korpus.exe only where
 * wine lacks the DLL, for the tests and the installer's check under wine; never shipped.
 * It draws from RtlGenRandom (advapi32's SystemFunction036), as Windows' own did before. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
