; The Windows installer of Korpus: the desk (korpus-desk.exe, with WebView2Loader.dll beside it,
; which the GNU target needs), the command line (korpus.exe) and the fonts' licence, for the
; current user (a coordinator's laptop seldom gives its user administrator rights), with a Start
; menu entry, a desktop shortcut and an uninstaller. Its pages speak Kazakh, Russian or English.
;
; Written for makensis rather than made by Tauri's bundler: on Linux the bundler downloads its
; NSIS plugins (nsis-tauri-utils) from GitHub at build time, and this build runs offline.
; scripts/package calls it:
;   makensis -DVERSION=0.1.0 -DSTAGE=target/package/windows -DOUTFILE=Korpus_0.1.0_x64-setup.exe korpus.nsi
; The database is in the user's application data and is never removed by the uninstaller.

; A 64-bit installer (NSIS's amd64-unicode stubs) for a 64-bit program: it starts on the laptops the
; desk runs on, and under a wine without 32-bit support.
Target amd64-unicode
SetCompressor /SOLID lzma

!ifndef VERSION
  !error "VERSION is not defined: makensis -DVERSION=x.y.z"
!endif
!ifndef STAGE
  !error "STAGE is not defined: the folder holding korpus-desk.exe, korpus.exe and the DLLs"
!endif
!ifndef OUTFILE
  !define OUTFILE "Korpus_${VERSION}_x64-setup.exe"
!endif

!define PRODUCT "Korpus"
!define IDENTIFIER "kz.korpus.desk"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${IDENTIFIER}"
; The WebView2 runtime's client key: present when the Evergreen runtime is installed.
!define WEBVIEW2_KEY "SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"

Name "${PRODUCT}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${PRODUCT}"
InstallDirRegKey HKCU "Software\${IDENTIFIER}" "InstallDir"
RequestExecutionLevel user
ManifestDPIAware true
BrandingText "${PRODUCT} ${VERSION}"

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=0 "ProductName" "${PRODUCT}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileDescription" "${PRODUCT} installer"
VIAddVersionKey /LANG=0 "LegalCopyright" "Korpus maintainers, MIT or Apache-2.0"

!include "MUI2.nsh"
!include "LogicLib.nsh"

!define MUI_ICON "${STAGE}\icon.ico"
!define MUI_UNICON "${STAGE}\icon.ico"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\korpus-desk.exe"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_LICENSE "${STAGE}\LICENSE.txt"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

; The installer speaks the language of Windows when it is one of the three, else Kazakh (first: the
; default). NSIS ships no Kazakh: lang/Kazakh.nlf and lang/Kazakh.nsh are Korpus's own.
!insertmacro MUI_LANGUAGEEX "lang" "Kazakh"  ; beside this script (makensis works in its folder)
!insertmacro MUI_LANGUAGE "Russian"
!insertmacro MUI_LANGUAGE "English"

LangString NoWebView ${LANG_KAZAKH} "Korpus терезесіне Microsoft WebView2 ортасы қажет, ал бұл компьютерде ол жоқ. Оны орнатыңыз (оның «Evergreen Standalone Installer» орнатқышы интернетсіз де жұмыс істейді), содан кейін Korpus-ты ашыңыз. Korpus қазір орнатылады."
LangString NoWebView ${LANG_RUSSIAN} "Окну Korpus нужна среда Microsoft WebView2, а на этом компьютере её нет. Установите её («Evergreen Standalone Installer», можно без интернета), затем откройте Korpus. Korpus сейчас будет установлен."
LangString NoWebView ${LANG_ENGLISH} "The Korpus window needs the Microsoft WebView2 runtime, which this computer does not have. Install it (its Evergreen Standalone Installer works offline), then open Korpus. Korpus will be installed now."
LangString KeepsData ${LANG_KAZAKH} "Іс дерекқоры мен оның сақтық көшірмелері жойылмайды: олар $APPDATA\${IDENTIFIER} қалтасында қалады."
LangString KeepsData ${LANG_RUSSIAN} "База дел и резервные копии не удаляются: они остаются в папке $APPDATA\${IDENTIFIER}."
LangString KeepsData ${LANG_ENGLISH} "The case database and its backups are not removed: they stay in $APPDATA\${IDENTIFIER}."

Section "Korpus" Main
  SectionIn RO
  SetOutPath "$INSTDIR"
  File "${STAGE}\korpus-desk.exe"
  File "${STAGE}\korpus.exe"
  File "${STAGE}\WebView2Loader.dll"
  File "${STAGE}\icon.ico"
  File "${STAGE}\LICENSE.txt"
  File "${STAGE}\LICENSE-DejaVu.txt"

  WriteUninstaller "$INSTDIR\uninstall.exe"
  WriteRegStr HKCU "Software\${IDENTIFIER}" "InstallDir" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${PRODUCT}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "Korpus"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\korpus-desk.exe"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1

  CreateDirectory "$SMPROGRAMS\${PRODUCT}"
  CreateShortCut "$SMPROGRAMS\${PRODUCT}\${PRODUCT}.lnk" "$INSTDIR\korpus-desk.exe" "" "$INSTDIR\icon.ico"
  CreateShortCut "$DESKTOP\${PRODUCT}.lnk" "$INSTDIR\korpus-desk.exe" "" "$INSTDIR\icon.ico"

  ; The desk cannot open its window without WebView2 (Windows 11 has it; most Windows 10 laptops
  ; have it through Edge). Offline, the installer cannot fetch it: it says so and installs anyway.
  ReadRegStr $0 HKLM "${WEBVIEW2_KEY}" "pv"
  ${If} $0 == ""
  ${OrIf} $0 == "0.0.0.0"
    ReadRegStr $0 HKCU "Software\Microsoft\EdgeUpdate\Clients\{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}" "pv"
  ${EndIf}
  ${If} $0 == ""
  ${OrIf} $0 == "0.0.0.0"
    MessageBox MB_ICONEXCLAMATION "$(NoWebView)" /SD IDOK
  ${EndIf}
SectionEnd

Section "Uninstall"
  Delete "$INSTDIR\korpus-desk.exe"
  Delete "$INSTDIR\korpus.exe"
  Delete "$INSTDIR\WebView2Loader.dll"
  Delete "$INSTDIR\icon.ico"
  Delete "$INSTDIR\LICENSE.txt"
  Delete "$INSTDIR\LICENSE-DejaVu.txt"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\${PRODUCT}\${PRODUCT}.lnk"
  RMDir "$SMPROGRAMS\${PRODUCT}"
  Delete "$DESKTOP\${PRODUCT}.lnk"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  DeleteRegKey HKCU "Software\${IDENTIFIER}"
  DetailPrint "$(KeepsData)"
SectionEnd
