/*
 * cam-gateway reference firmware for the AI-Thinker ESP32-CAM (OV2640), speaking CAMF v1 on Serial.
 *
 *   boot      -> type 02 log "cam-gateway esp32-cam 1.0.0 booted", type 03 info JSON
 *   stream=1  -> continuous type 01 JPEG frames (the default after boot); stream=0 stops them
 *   snapshot  -> one type 01 frame;   info -> one type 03 frame
 *   framesize, quality, brightness, contrast, saturation, sharpness, denoise, special_effect,
 *   wb_mode, awb, awb_gain, aec, aec2, ae_level, aec_value, agc, agc_gain, gainceiling, bpc, wpc,
 *   raw_gma, lenc, hmirror, vflip, dcw, colorbar, led_intensity (CameraWebServer names/ranges)
 *   Every command gets exactly one type 04 reply: "ok <name>=<value>" or "error <reason>", and a
 *   type 02 log line "cmd <name>=<value>".
 *
 * Serial: 921600 baud on UART0 (the USB-serial chip of an ESP32-CAM-MB). On an ESP32-S3 board with
 * native USB ("USB CDC On Boot: Enabled", ARDUINO_USB_CDC_ON_BOOT=1) `Serial` is the USB-CDC port:
 * the baud rate is ignored and frames go at USB speed.
 *
 * Nothing else may print on Serial: any stray byte inside a frame costs that frame (its CRC fails),
 * so ESP-IDF logging is switched off (also build with Tools > Core Debug Level: None).
 *
 * Build: see firmware/README.md. The camf library is in src/camf (a link to firmware/camf).
 * Not run on hardware by the test suite: the suite compiles it against firmware/stubs only.
 */
#include <Arduino.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp_camera.h"
#include "esp_log.h"
#include "esp_timer.h"
#include "src/camf/camf.h"
#include "src/camf/camf_vars.h"

#define FIRMWARE_VERSION "1.0.0"
#define SERIAL_BAUD 921600

// AI-Thinker ESP32-CAM pins.
#define PWDN_GPIO_NUM 32
#define RESET_GPIO_NUM -1
#define XCLK_GPIO_NUM 0
#define SIOD_GPIO_NUM 26
#define SIOC_GPIO_NUM 27
#define Y9_GPIO_NUM 35
#define Y8_GPIO_NUM 34
#define Y7_GPIO_NUM 39
#define Y6_GPIO_NUM 36
#define Y5_GPIO_NUM 21
#define Y4_GPIO_NUM 19
#define Y3_GPIO_NUM 18
#define Y2_GPIO_NUM 5
#define VSYNC_GPIO_NUM 25
#define HREF_GPIO_NUM 23
#define PCLK_GPIO_NUM 22
#define LED_GPIO_NUM 4  // the white flash LED
#define LED_LEDC_CHANNEL 7  // core 2.x only; the camera's XCLK uses LEDC channel 0 / timer 0

// Longest command: "special_effect=6" etc.; 64 payload bytes is plenty.
static uint8_t cmd_buf[CAMF_OVERHEAD + 64];
static camf_cmd_dec_t cmd;
static uint32_t seq = 0;
static bool streaming = true;
static bool camera_ok = false;
static int led_intensity = 0;
static unsigned long last_rx_ms = 0;

struct FramesizeName {
  const char *name;
  framesize_t size;
};

// Names as the gateway sends them (it turns CameraWebServer indices into names).
static const FramesizeName FRAMESIZES[] = {
    {"96X96", FRAMESIZE_96X96}, {"QQVGA", FRAMESIZE_QQVGA},     {"QCIF", FRAMESIZE_QCIF},
    {"HQVGA", FRAMESIZE_HQVGA}, {"240X240", FRAMESIZE_240X240}, {"QVGA", FRAMESIZE_QVGA},
    {"CIF", FRAMESIZE_CIF},     {"HVGA", FRAMESIZE_HVGA},       {"VGA", FRAMESIZE_VGA},
    {"SVGA", FRAMESIZE_SVGA},   {"XGA", FRAMESIZE_XGA},         {"HD", FRAMESIZE_HD},
    {"SXGA", FRAMESIZE_SXGA},   {"UXGA", FRAMESIZE_UXGA},
};

static void serial_write(const uint8_t *data, size_t n) {
  Serial.write(data, n);
}

static uint64_t now_us() {
  return (uint64_t)esp_timer_get_time();
}

static void send_text(uint8_t type, const char *text) {
  camf_send_text(type, seq++, now_us(), text, serial_write);
}

static const char *framesize_name(framesize_t size) {
  for (size_t i = 0; i < sizeof(FRAMESIZES) / sizeof(FRAMESIZES[0]); i++) {
    if (FRAMESIZES[i].size == size) return FRAMESIZES[i].name;
  }
  return "other";
}

static void send_info() {
  char json[200];
  sensor_t *s = camera_ok ? esp_camera_sensor_get() : NULL;
  const char *sensor = "none";
  if (s != NULL) {
    sensor = s->id.PID == OV2640_PID ? "OV2640" : s->id.PID == OV3660_PID ? "OV3660" : s->id.PID == OV5640_PID ? "OV5640" : "unknown";
  }
  snprintf(json, sizeof(json),
           "{\"model\":\"ESP32-CAM\",\"sensor\":\"%s\",\"firmware\":\"%s\",\"framesize\":\"%s\",\"quality\":%d,"
           "\"streaming\":%s,\"baud\":%d}",
           sensor, FIRMWARE_VERSION, s ? framesize_name(s->status.framesize) : "none", s ? s->status.quality : 0,
           streaming ? "true" : "false", SERIAL_BAUD);
  send_text(CAMF_TYPE_INFO, json);
}

/* Send one camera frame buffer as-is: header, the buffer in pieces (CRC computed on the way), CRC. */
static bool send_frame() {
  camera_fb_t *fb = esp_camera_fb_get();
  if (fb == NULL) {
    send_text(CAMF_TYPE_LOG, "capture failed");
    return false;
  }
  camf_enc_t enc;
  uint64_t ts = (uint64_t)fb->timestamp.tv_sec * 1000000u + (uint64_t)fb->timestamp.tv_usec;
  camf_begin(&enc, CAMF_TYPE_JPEG, seq++, ts, (uint32_t)fb->len, serial_write);
  const size_t piece = 4096;  // lets the CRC of one piece overlap the UART draining the previous one
  for (size_t off = 0; off < fb->len; off += piece) {
    size_t n = fb->len - off < piece ? fb->len - off : piece;
    camf_write(&enc, fb->buf + off, n);
  }
  camf_end(&enc);
  esp_camera_fb_return(fb);
  return true;
}

static bool parse_int(const char *v, int min, int max, int *out) {
  if (v == NULL || *v == '\0') return false;
  char *end = NULL;
  long n = strtol(v, &end, 10);
  if (*end != '\0' || n < min || n > max) return false;
  *out = (int)n;
  return true;
}

/* Apply a sensor setting; returns the driver's result (0 ok), or -100 when the name is unknown. */
static int apply_sensor(sensor_t *s, const char *name, int v) {
  if (!strcmp(name, "quality")) return s->set_quality(s, v);
  if (!strcmp(name, "brightness")) return s->set_brightness(s, v);
  if (!strcmp(name, "contrast")) return s->set_contrast(s, v);
  if (!strcmp(name, "saturation")) return s->set_saturation(s, v);
  if (!strcmp(name, "sharpness")) return s->set_sharpness(s, v);
  if (!strcmp(name, "denoise")) return s->set_denoise(s, v);
  if (!strcmp(name, "special_effect")) return s->set_special_effect(s, v);
  if (!strcmp(name, "wb_mode")) return s->set_wb_mode(s, v);
  if (!strcmp(name, "awb")) return s->set_whitebal(s, v);
  if (!strcmp(name, "awb_gain")) return s->set_awb_gain(s, v);
  if (!strcmp(name, "aec")) return s->set_exposure_ctrl(s, v);
  if (!strcmp(name, "aec2")) return s->set_aec2(s, v);
  if (!strcmp(name, "ae_level")) return s->set_ae_level(s, v);
  if (!strcmp(name, "aec_value")) return s->set_aec_value(s, v);
  if (!strcmp(name, "agc")) return s->set_gain_ctrl(s, v);
  if (!strcmp(name, "agc_gain")) return s->set_agc_gain(s, v);
  if (!strcmp(name, "gainceiling")) return s->set_gainceiling(s, (gainceiling_t)v);
  if (!strcmp(name, "bpc")) return s->set_bpc(s, v);
  if (!strcmp(name, "wpc")) return s->set_wpc(s, v);
  if (!strcmp(name, "raw_gma")) return s->set_raw_gma(s, v);
  if (!strcmp(name, "lenc")) return s->set_lenc(s, v);
  if (!strcmp(name, "hmirror")) return s->set_hmirror(s, v);
  if (!strcmp(name, "vflip")) return s->set_vflip(s, v);
  if (!strcmp(name, "dcw")) return s->set_dcw(s, v);
  if (!strcmp(name, "colorbar")) return s->set_colorbar(s, v);
  return -100;
}

/* Carry out one command; exactly one type 04 reply for each. */
static void handle_command(const char *name, const char *value) {
  char reply[96];
  snprintf(reply, sizeof(reply), "cmd %s%s%s", name, value ? "=" : "", value ? value : "");
  send_text(CAMF_TYPE_LOG, reply);

  if (!strcmp(name, "info")) {
    send_info();
    send_text(CAMF_TYPE_REPLY, "ok info");
    return;
  }
  if (!strcmp(name, "stream")) {
    int v;
    if (!parse_int(value, 0, 1, &v)) {
      send_text(CAMF_TYPE_REPLY, "error stream must be 0 or 1");
      return;
    }
    streaming = v == 1;
    send_text(CAMF_TYPE_REPLY, streaming ? "ok stream=1" : "ok stream=0");
    return;
  }
  if (!camera_ok) {
    send_text(CAMF_TYPE_REPLY, "error camera not initialised");
    return;
  }
  if (!strcmp(name, "snapshot")) {
    send_text(CAMF_TYPE_REPLY, "ok snapshot");
    send_frame();
    return;
  }
  sensor_t *s = esp_camera_sensor_get();
  if (!strcmp(name, "framesize")) {
    for (size_t i = 0; i < sizeof(FRAMESIZES) / sizeof(FRAMESIZES[0]); i++) {
      if (value != NULL && !strcmp(value, FRAMESIZES[i].name)) {
        int r = s->set_framesize(s, FRAMESIZES[i].size);
        snprintf(reply, sizeof(reply), r == 0 ? "ok framesize=%s" : "error framesize %s refused by the sensor",
                 FRAMESIZES[i].name);
        send_text(CAMF_TYPE_REPLY, reply);
        return;
      }
    }
    send_text(CAMF_TYPE_REPLY, "error framesize must be one of 96X96..UXGA");
    return;
  }
  for (size_t i = 0; i < CAMF_VAR_RANGE_COUNT; i++) {
    if (strcmp(name, CAMF_VAR_RANGES[i].name) != 0) continue;
    int v;
    if (!parse_int(value, CAMF_VAR_RANGES[i].min, CAMF_VAR_RANGES[i].max, &v)) {
      snprintf(reply, sizeof(reply), "error %s must be %d..%d", name, CAMF_VAR_RANGES[i].min, CAMF_VAR_RANGES[i].max);
    } else if (!strcmp(name, "led_intensity")) {
      led_intensity = v;
#if ESP_ARDUINO_VERSION_MAJOR >= 3
      ledcWrite(LED_GPIO_NUM, (uint32_t)led_intensity);
#else
      ledcWrite(LED_LEDC_CHANNEL, (uint32_t)led_intensity);
#endif
      snprintf(reply, sizeof(reply), "ok led_intensity=%d", v);
    } else if (apply_sensor(s, name, v) == 0) {
      snprintf(reply, sizeof(reply), "ok %s=%d", name, v);
    } else {
      snprintf(reply, sizeof(reply), "error %s not supported by this sensor", name);
    }
    send_text(CAMF_TYPE_REPLY, reply);
    return;
  }
  snprintf(reply, sizeof(reply), "error unknown command %.60s", name);
  send_text(CAMF_TYPE_REPLY, reply);
}

static void dispatch(int r) {
  if (r == CAMF_CMD_READY) {
    handle_command(cmd.name, cmd.value);
  } else if (r == CAMF_CMD_MALFORMED) {
    send_text(CAMF_TYPE_REPLY, "error malformed command");
  }
}

static void poll_commands() {
  while (Serial.available() > 0) {
    int b = Serial.read();
    if (b < 0) break;
    last_rx_ms = millis();
    for (int r = camf_cmd_feed(&cmd, (uint8_t)b); r != CAMF_CMD_NONE; r = camf_cmd_poll(&cmd)) dispatch(r);
  }
  // 100 ms of silence inside a frame: the rest is not coming; look for a command after its start.
  // (A whole command takes < 1 ms at 921600 baud; 100 ms leaves room for USB-serial batching.)
  if (cmd.n > 0 && millis() - last_rx_ms >= 100) {
    for (int r = camf_cmd_flush(&cmd); r != CAMF_CMD_NONE; r = camf_cmd_flush(&cmd)) dispatch(r);
  }
}

static bool init_camera() {
  camera_config_t config;
  memset(&config, 0, sizeof(config));
  config.ledc_channel = LEDC_CHANNEL_0;
  config.ledc_timer = LEDC_TIMER_0;
  config.pin_d0 = Y2_GPIO_NUM;
  config.pin_d1 = Y3_GPIO_NUM;
  config.pin_d2 = Y4_GPIO_NUM;
  config.pin_d3 = Y5_GPIO_NUM;
  config.pin_d4 = Y6_GPIO_NUM;
  config.pin_d5 = Y7_GPIO_NUM;
  config.pin_d6 = Y8_GPIO_NUM;
  config.pin_d7 = Y9_GPIO_NUM;
  config.pin_xclk = XCLK_GPIO_NUM;
  config.pin_pclk = PCLK_GPIO_NUM;
  config.pin_vsync = VSYNC_GPIO_NUM;
  config.pin_href = HREF_GPIO_NUM;
  config.pin_sccb_sda = SIOD_GPIO_NUM;
  config.pin_sccb_scl = SIOC_GPIO_NUM;
  config.pin_pwdn = PWDN_GPIO_NUM;
  config.pin_reset = RESET_GPIO_NUM;
  config.xclk_freq_hz = 20000000;
  config.pixel_format = PIXFORMAT_JPEG;
  config.frame_size = FRAMESIZE_QVGA;  // ~10-15 KB frames: ~6 fps over 921600 baud
  config.jpeg_quality = 12;
  config.fb_count = psramFound() ? 2 : 1;
  config.fb_location = psramFound() ? CAMERA_FB_IN_PSRAM : CAMERA_FB_IN_DRAM;
  config.grab_mode = CAMERA_GRAB_LATEST;
  return esp_camera_init(&config) == ESP_OK;
}

void setup() {
  esp_log_level_set("*", ESP_LOG_NONE);  // driver logs on UART0 would land inside frames
  Serial.setRxBufferSize(1024);
  Serial.setTxBufferSize(16384);
  Serial.begin(SERIAL_BAUD);
  camf_cmd_init(&cmd, cmd_buf, sizeof(cmd_buf));
  // Flash LED on PWM, as CameraWebServer does (5 kHz, 8 bits), off at boot.
#if ESP_ARDUINO_VERSION_MAJOR >= 3
  ledcAttach(LED_GPIO_NUM, 5000, 8);
  ledcWrite(LED_GPIO_NUM, 0);
#else
  ledcSetup(LED_LEDC_CHANNEL, 5000, 8);
  ledcAttachPin(LED_GPIO_NUM, LED_LEDC_CHANNEL);
  ledcWrite(LED_LEDC_CHANNEL, 0);
#endif
  camera_ok = init_camera();
  send_text(CAMF_TYPE_LOG, camera_ok ? "cam-gateway esp32-cam " FIRMWARE_VERSION " booted"
                                     : "cam-gateway esp32-cam " FIRMWARE_VERSION ": camera init failed");
  send_info();
}

void loop() {
  poll_commands();
  if (streaming && camera_ok) {
    send_frame();
  } else {
    delay(1);
  }
}
