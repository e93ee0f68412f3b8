# The QML files of the module `Pulseboard`, include()d from lib/dashboard/CMakeLists.txt, which
# declares the module. They are added in the directory that declares it: Qt 6.4 writes the qmldir
# and type registrations in a deferred call at the end of that directory, and qmlcachegen's rules
# depend on the module's .qmltypes file, which Unix Makefiles only see as a dependency inside the
# directory whose rule makes it.
set(_pulseboard_qml_files
    Main.qml
    components/Theme.qml
    components/Format.js
    components/Card.qml
    components/Chip.qml
    components/ThemeButton.qml
    components/ThemeSwitch.qml
    components/ThemeField.qml
    components/ThemeComboBox.qml
    components/ThemeCheckBox.qml
    components/StatusDot.qml
    components/Metric.qml
    components/ConnectionHeader.qml
    components/RecordButton.qml
    components/StatusBanner.qml
    components/SourceStrip.qml
    components/ReplayBar.qml
    components/AlertBanner.qml
    components/ServerSwitcher.qml
    components/Segmented.qml
    components/Toast.qml
    components/TimeChart.qml
    components/FieldPicker.qml
    components/StreamTile.qml
    components/ChartDialog.qml
    components/ExportLayoutDialog.qml
    components/TokenDialog.qml
    panels/StreamsPanel.qml
    panels/HealthPanel.qml
    panels/ChannelsPanel.qml
    panels/RawPanel.qml
    panels/ConsolePanel.qml
    panels/AlertsPanel.qml
)
list(TRANSFORM _pulseboard_qml_files PREPEND "${CMAKE_CURRENT_LIST_DIR}/")
# Sources are grouped in folders, but every file lands next to the qmldir (qrc:/Pulseboard/X.qml):
# a file in a resource subfolder would not see its sibling types or the Theme singleton.
foreach(_file IN LISTS _pulseboard_qml_files)
    get_filename_component(_name "${_file}" NAME)
    set_source_files_properties("${_file}" PROPERTIES QT_RESOURCE_ALIAS "${_name}")
endforeach()
set_source_files_properties("${CMAKE_CURRENT_LIST_DIR}/components/Theme.qml" PROPERTIES QT_QML_SINGLETON_TYPE TRUE)
qt_target_qml_sources(pulseboard_dashboard QML_FILES ${_pulseboard_qml_files})
