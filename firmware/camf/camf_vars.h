/*
 * camf_vars.h — the numeric control variables a CAMF camera accepts, with their
 * allowed ranges (ESP32 CameraWebServer names; see firmware-protocol.md, commands).
 * Shared by the ESP32-CAM sketch and the host fake device (firmware/test/camf_tool.c),
 * so the device the tests talk to checks values exactly as the firmware does.
 */
#ifndef CAMF_VARS_H
#define CAMF_VARS_H

typedef struct {
  const char *name;
  int min;
  int max;
} camf_var_range_t;

static const camf_var_range_t CAMF_VAR_RANGES[] = {
    {"quality", 4, 63},     {"brightness", -2, 2},  {"contrast", -2, 2},      {"saturation", -2, 2},
    {"sharpness", -2, 2},   {"denoise", 0, 8},      {"special_effect", 0, 6}, {"wb_mode", 0, 4},
    {"awb", 0, 1},          {"awb_gain", 0, 1},     {"aec", 0, 1},            {"aec2", 0, 1},
    {"ae_level", -2, 2},    {"aec_value", 0, 1200}, {"agc", 0, 1},            {"agc_gain", 0, 30},
    {"gainceiling", 0, 6},  {"bpc", 0, 1},          {"wpc", 0, 1},            {"raw_gma", 0, 1},
    {"lenc", 0, 1},         {"hmirror", 0, 1},      {"vflip", 0, 1},          {"dcw", 0, 1},
    {"colorbar", 0, 1},     {"led_intensity", 0, 255},
};

#define CAMF_VAR_RANGE_COUNT (sizeof(CAMF_VAR_RANGES) / sizeof(CAMF_VAR_RANGES[0]))

#endif
