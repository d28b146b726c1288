# dmotif export: attr.h5 -> tfmodisco-lite .npy/.npz inputs. export.sh runs attr on
# 40 example rows, exports them and checks the arrays with test_export_check.
add_executable(test_export_check test_export_check.c)
target_link_libraries(test_export_check PRIVATE dm_io dm_util)
dm_add_cli_test(export_cli SCRIPT export.sh RANKS 1 2 TIMEOUT 120)
foreach(np 1 2)
  set_property(TEST export_cli_np${np} APPEND PROPERTY ENVIRONMENT "CHECK=$<TARGET_FILE:test_export_check>")
endforeach()
