# Installation layout and the Debian package (cpack -G DEB). Included from the top-level CMakeLists.txt.
#   bin/lldif, bin/lldif-viewer, bin/lldif-train
#   share/lldif-viewer/{demo,models}        found by the programs through ../share/lldif-viewer
#   share/applications/lldif-viewer.desktop, share/icons/hicolor/scalable/apps/lldif-viewer.svg
install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/demo DESTINATION ${CMAKE_INSTALL_DATADIR}/lldif-viewer)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/models/ DESTINATION ${CMAKE_INSTALL_DATADIR}/lldif-viewer/models
        FILES_MATCHING PATTERN "*.ckpt" PATTERN "*.trj" PATTERN "*.md")
install(FILES ${PROJECT_SOURCE_DIR}/packaging/lldif-viewer.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/lldif-viewer.svg
        DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE ${PROJECT_SOURCE_DIR}/resources/NOTICE.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_PACKAGE_NAME "lldif-viewer")
set(CPACK_PACKAGE_VENDOR "LLDif Viewer team")
set(CPACK_PACKAGE_CONTACT "LLDif Viewer team <lldif-viewer@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Facial-emotion recognition that works in the dark (LLDif)")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_GENERATOR "DEB")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "graphics")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # Qt, LibTorch, OpenCV, dlib ... from dpkg-shlibdeps
# Not found by dpkg-shlibdeps: the landmark model (data), the Qt platform plugin and OpenBLAS with OpenMP.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libdlib-data, qt6-qpa-plugins, libopenblas0-openmp")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "A Qt 6 desktop viewer and a command-line tool that detect faces and their 68 landmarks and\n recognise emotions with LLDif (landmark-aware diffusion prior), also in low light. Includes a\n dark-room simulation, clear vs low-light comparison, confidence histograms and t-SNE of the\n diffusion prior. The trained model is installed under /usr/share/lldif-viewer/models.")
include(CPack)
