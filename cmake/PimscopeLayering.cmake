# core/ must never depend on Qt Gui or Widgets: the headless commands and the tests use it without a display.
# This check runs at configure time and fails the configuration if any file under core/ includes them.
function(pimscope_check_core_layering core_dir)
    get_filename_component(core_dir "${core_dir}" ABSOLUTE)
    file(GLOB_RECURSE core_files "${core_dir}/*.h" "${core_dir}/*.cpp" "${core_dir}/CMakeLists.txt")
    set(offenders "")
    foreach(f IN LISTS core_files)
        file(STRINGS "${f}" hits REGEX "#[ \t]*include[ \t]*[<\"](QtGui|QtWidgets|QtOpenGL|QtQuick)[/>\"]|#[ \t]*include[ \t]*<Q(Widget|Application|Painter|Color|Pixmap|Image|Icon|Font|GuiApplication)>|Qt6?::(Gui|Widgets)")
        if(hits)
            file(RELATIVE_PATH rel "${core_dir}/.." "${f}")
            list(APPEND offenders "${rel}: ${hits}")
        endif()
    endforeach()
    if(offenders)
        list(JOIN offenders "\n  " msg)
        message(FATAL_ERROR "core/ must not use Qt Gui or Widgets, found:\n  ${msg}")
    endif()
endfunction()

# Script mode, for the tests: cmake -DCORE_DIR=<dir> -P PimscopeLayering.cmake
if(CMAKE_SCRIPT_MODE_FILE AND CORE_DIR)
    pimscope_check_core_layering("${CORE_DIR}")
endif()
