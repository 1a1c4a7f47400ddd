# Script mode (the tests run it with cmake -P) has no project: the policies of the project's minimum version.
if(CMAKE_SCRIPT_MODE_FILE)
    cmake_minimum_required(VERSION 3.22)
endif()

# The layering of core/, checked at configure time (the configuration fails on any breach):
#  - core/ never depends on Qt Gui or Widgets: the headless commands and the tests use it without a display;
#  - its folders are layers, lowest first: a folder includes only folders of lower layers (and its own files), so
#    that the include graph of core/ has no cycle. A new folder must be given its place here.
set(PIMSCOPE_CORE_LAYERS
    "util"                              # plain helpers: results, times, JSON text
    "model"                             # value types: Delivery, Event, enums
    "formats signing secrets net"       # request bodies and log lines; HMACs and redaction; the keychain; HTTP client
    "analysis compose"                  # pure computations: flags, budgets, charts' arithmetic, JSON diff; events
                                        # composed from templates, with deliberate faults
    "filter"                            # the filter language, compiled to SQL
    "store"                             # the capture: schema, writer, reader, queries
    "forward tunnel pgstore"            # passing deliveries on to the connector; public URLs through tunnels; the
                                        # server's PostgreSQL store (the capture's records and header codec below it)
    "receiver replay logimport export"  # what fills the capture and reads it out
    "models demo"                       # table models for views; demo traffic
    "settings")                         # the application's settings, over all of it

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

    # The layer of each folder.
    set(layer 0)
    set(folders "")
    foreach(names IN LISTS PIMSCOPE_CORE_LAYERS)
        string(REPLACE " " ";" names "${names}")
        foreach(name IN LISTS names)
            set(layer_of_${name} ${layer})
            list(APPEND folders ${name})
        endforeach()
        math(EXPR layer "${layer} + 1")
    endforeach()
    set(upward "")
    foreach(f IN LISTS core_files)
        file(RELATIVE_PATH rel "${core_dir}" "${f}")
        if(NOT rel MATCHES "^([^/]+)/")
            continue() # core/CMakeLists.txt
        endif()
        set(folder ${CMAKE_MATCH_1})
        if(NOT DEFINED layer_of_${folder})
            list(APPEND upward "core/${rel}: the folder core/${folder} has no layer (give it one in PIMSCOPE_CORE_LAYERS, cmake/PimscopeLayering.cmake)")
            continue()
        endif()
        file(STRINGS "${f}" includes REGEX "^[ \t]*#[ \t]*include[ \t]*\"[A-Za-z0-9_]+/")
        foreach(line IN LISTS includes)
            string(REGEX MATCH "\"([A-Za-z0-9_]+)/[^\"]*\"" included "${line}")
            set(target ${CMAKE_MATCH_1})
            if(target STREQUAL folder OR NOT target IN_LIST folders)
                continue()
            endif()
            if(NOT layer_of_${target} LESS layer_of_${folder})
                list(APPEND upward "core/${rel} includes ${included}: ${target}/ is not below ${folder}/")
            endif()
        endforeach()
    endforeach()
    if(upward)
        list(JOIN upward "\n  " msg)
        message(FATAL_ERROR "core/ includes that run upward or sideways (a folder includes only lower layers, see "
                            "PIMSCOPE_CORE_LAYERS in cmake/PimscopeLayering.cmake):\n  ${msg}")
    endif()
endfunction()

# Script mode, for the tests: cmake -DCORE_DIR=<dir> -P PimscopeLayering.cmake
if(CMAKE_SCRIPT_MODE_FILE AND CORE_DIR)
    pimscope_check_core_layering("${CORE_DIR}")
endif()
