"""Regions where KMS (and, for the emulator, ECS) runs."""

REGIONS = [
    "cn-hangzhou", "cn-shanghai", "cn-qingdao", "cn-beijing", "cn-zhangjiakou",
    "cn-huhehaote", "cn-wulanchabu", "cn-shenzhen", "cn-heyuan", "cn-guangzhou",
    "cn-chengdu", "cn-nanjing", "cn-fuzhou", "cn-hongkong", "ap-southeast-1",
    "ap-southeast-3", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
    "ap-northeast-1", "ap-northeast-2", "ap-south-1", "us-east-1", "us-west-1",
    "eu-west-1", "eu-central-1", "me-east-1", "me-central-1",
]
