# Runs lldif-viewer on the demo with --screenshot and checks that a real PNG came out.
file(REMOVE "${OUT}")
execute_process(COMMAND "${VIEWER}" --source demo --screenshot "${OUT}" --quit-after-frames 5
                RESULT_VARIABLE rc TIMEOUT 100)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "lldif-viewer exited with ${rc}")
endif()
if(NOT EXISTS "${OUT}")
  message(FATAL_ERROR "no screenshot written")
endif()
file(SIZE "${OUT}" size)
file(READ "${OUT}" magic LIMIT 4 HEX)
if(NOT magic STREQUAL "89504e47" OR size LESS 20000)
  message(FATAL_ERROR "screenshot is not a plausible PNG (magic ${magic}, ${size} bytes)")
endif()
# A source that does not exist must fail with a message, not crash.
execute_process(COMMAND "${VIEWER}" --source /no/such/video.mp4 --screenshot "${OUT}.bad.png"
                RESULT_VARIABLE rc2 ERROR_VARIABLE err TIMEOUT 60)
if(NOT rc2 EQUAL 1 OR NOT err MATCHES "No such file")
  message(FATAL_ERROR "bad source: rc ${rc2}, stderr: ${err}")
endif()
