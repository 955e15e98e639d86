/* Host stub: esp32-camera driver/include/sensor.h, the types and setters the sketch uses. */
#pragma once
#include <stdint.h>

typedef enum {
  PIXFORMAT_RGB565,
  PIXFORMAT_YUV422,
  PIXFORMAT_YUV420,
  PIXFORMAT_GRAYSCALE,
  PIXFORMAT_JPEG,
  PIXFORMAT_RGB888,
  PIXFORMAT_RAW,
  PIXFORMAT_RGB444,
  PIXFORMAT_RGB555,
} pixformat_t;

typedef enum {
  FRAMESIZE_96X96,
  FRAMESIZE_QQVGA,
  FRAMESIZE_128X128,
  FRAMESIZE_QCIF,
  FRAMESIZE_HQVGA,
  FRAMESIZE_240X240,
  FRAMESIZE_QVGA,
  FRAMESIZE_320X320,
  FRAMESIZE_CIF,
  FRAMESIZE_HVGA,
  FRAMESIZE_VGA,
  FRAMESIZE_SVGA,
  FRAMESIZE_XGA,
  FRAMESIZE_HD,
  FRAMESIZE_SXGA,
  FRAMESIZE_UXGA,
  FRAMESIZE_FHD,
  FRAMESIZE_P_HD,
  FRAMESIZE_P_3MP,
  FRAMESIZE_QXGA,
  FRAMESIZE_QHD,
  FRAMESIZE_WQXGA,
  FRAMESIZE_P_FHD,
  FRAMESIZE_QSXGA,
  FRAMESIZE_5MP,
  FRAMESIZE_INVALID
} framesize_t;

typedef enum {
  GAINCEILING_2X,
  GAINCEILING_4X,
  GAINCEILING_8X,
  GAINCEILING_16X,
  GAINCEILING_32X,
  GAINCEILING_64X,
  GAINCEILING_128X,
} gainceiling_t;

typedef struct {
  uint8_t MIDH;
  uint8_t MIDL;
  uint16_t PID;
  uint8_t VER;
} sensor_id_t;

typedef struct {
  framesize_t framesize;
  bool scale;
  bool binning;
  uint8_t quality;
  int8_t brightness;
  int8_t contrast;
  int8_t saturation;
  int8_t sharpness;
  uint8_t denoise;
  uint8_t special_effect;
  uint8_t wb_mode;
  uint8_t awb;
  uint8_t awb_gain;
  uint8_t aec;
  uint8_t aec2;
  int8_t ae_level;
  uint16_t aec_value;
  uint8_t agc;
  uint8_t agc_gain;
  uint8_t gainceiling;
  uint8_t bpc;
  uint8_t wpc;
  uint8_t raw_gma;
  uint8_t lenc;
  uint8_t hmirror;
  uint8_t vflip;
  uint8_t dcw;
  uint8_t colorbar;
} camera_status_t;

typedef struct _sensor sensor_t;
typedef struct _sensor {
  sensor_id_t id;
  uint8_t slv_addr;
  pixformat_t pixformat;
  camera_status_t status;
  int xclk_freq_hz;
  int (*set_framesize)(sensor_t *sensor, framesize_t framesize);
  int (*set_contrast)(sensor_t *sensor, int level);
  int (*set_brightness)(sensor_t *sensor, int level);
  int (*set_saturation)(sensor_t *sensor, int level);
  int (*set_sharpness)(sensor_t *sensor, int level);
  int (*set_denoise)(sensor_t *sensor, int level);
  int (*set_gainceiling)(sensor_t *sensor, gainceiling_t gainceiling);
  int (*set_quality)(sensor_t *sensor, int quality);
  int (*set_colorbar)(sensor_t *sensor, int enable);
  int (*set_whitebal)(sensor_t *sensor, int enable);
  int (*set_gain_ctrl)(sensor_t *sensor, int enable);
  int (*set_exposure_ctrl)(sensor_t *sensor, int enable);
  int (*set_hmirror)(sensor_t *sensor, int enable);
  int (*set_vflip)(sensor_t *sensor, int enable);
  int (*set_aec2)(sensor_t *sensor, int enable);
  int (*set_awb_gain)(sensor_t *sensor, int enable);
  int (*set_agc_gain)(sensor_t *sensor, int gain);
  int (*set_aec_value)(sensor_t *sensor, int gain);
  int (*set_special_effect)(sensor_t *sensor, int effect);
  int (*set_wb_mode)(sensor_t *sensor, int mode);
  int (*set_ae_level)(sensor_t *sensor, int level);
  int (*set_dcw)(sensor_t *sensor, int enable);
  int (*set_bpc)(sensor_t *sensor, int enable);
  int (*set_wpc)(sensor_t *sensor, int enable);
  int (*set_raw_gma)(sensor_t *sensor, int enable);
  int (*set_lenc)(sensor_t *sensor, int enable);
} sensor_t;

#define OV2640_PID 0x26
#define OV3660_PID 0x3660
#define OV5640_PID 0x5640
