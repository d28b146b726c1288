# Malformed-input corpus (badinput.sh): clear errors naming file and line/key/layer, inputs untouched;
# its models and .npy inputs are written at test time by badinput_fixtures.
add_executable(badinput_fixtures badinput_fixtures.c)
target_link_libraries(badinput_fixtures PRIVATE dm_io m)
dm_add_cli_test(badinput_cli SCRIPT badinput.sh TIMEOUT 300)
set_property(TEST badinput_cli_np1 APPEND PROPERTY ENVIRONMENT "FIXTURES=$<TARGET_FILE:badinput_fixtures>")
