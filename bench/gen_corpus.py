#!/usr/bin/env python3
"""Deterministic benchmark corpus: ordinary Chinese text, SMS and call transcripts, with a small
share (about 3 %) of abusive collection messages. Usage: gen_corpus.py SIZE_MB OUT [SEED]"""
import random
import sys

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉红建文斌宇浩凯健俊帆帅旭宁琳"
PLATFORMS = ["星河金融", "安易贷", "恒信分期", "及时贷", "盈达消费金融", "融通借呗", "银河小贷", "鑫易贷"]
PLACES = ["北京", "上海", "广州", "深圳", "成都", "重庆", "武汉", "西安", "杭州", "南京", "郑州", "长沙", "合肥", "昆明", "沈阳"]
TOPICS = [
    "今天{p}的天气不错，下午我们去公园散步，顺便买点水果回来。",
    "{p}地铁{n}号线周末延长运营时间，市民出行更加方便。",
    "会议将于下午{h}点在{n}楼会议室召开，请各部门负责人准时参加。",
    "这部电影的剧情非常精彩，演员的表演也很到位，推荐大家去看看。",
    "{name}同学在数学竞赛中获得了一等奖，老师和家长都很高兴。",
    "{p}新开了一家川菜馆，味道正宗，价格也实惠，周末人特别多。",
    "最近气温下降明显，大家注意添衣保暖，预防感冒。",
    "据统计，今年{p}的旅游收入同比增长了{n}个百分点。",
    "小区物业通知：明天上午{h}点到{h2}点停水，请提前做好准备。",
    "周末带孩子去博物馆参观，了解了很多历史知识，收获很大。",
]
SMS_OK = [
    "【{plat}】尊敬的{name}，您的账单已逾期{n}天，应还金额{amt}元，请于今日内还款，如已还款请忽略。回复TD退订",
    "【{plat}】您本期应还{amt}元，还款日为{m}月{d}日，请保持账户余额充足。",
    "【{plat}】{name}您好，您的借款已逾期，如协商不成，我司可能依法提起诉讼，逾期记录将按规定报送征信。",
    "【{plat}】温馨提示：请谨防骗子冒充我司工作人员，我司不会要求您向个人账户转账。",
]
CALL_OK = [
    "[00:{mm}:{ss}] 坐席：您好，这里是{plat}贷后服务部，请问是{name}吗？",
    "[00:{mm}:{ss}] 客户：是我，什么事？",
    "[00:{mm}:{ss}] 坐席：您在我司的借款已经逾期{n}天了，欠款一共{amt}元，今天能处理吗？",
    "[00:{mm}:{ss}] 客户：我最近手头紧，下周一前一定还一部分。",
    "[00:{mm}:{ss}] 坐席：好的，我记录一下还款计划，我们不会上门，也不会联系您的家人。",
    "坐席: {name}您好，您看能不能先还最低还款额{amt}元？",
    "客户: 行吧，我月底发了工资就还。",
]
ABUSE = [
    "[00:{mm}:{ss}] 坐席：你这个老赖，借钱的时候怎么不说没钱？",
    "[00:{mm}:{ss}] 坐席：今天不还，明天我们就派人上门找你，你家住哪我们清楚得很。",
    "坐席: 再不还钱就把你欠钱的事告诉你家人和你单位领导。",
    "【{plat}】{name}欠款不还，今天18点前不还款就爆你通讯录，让你身边所有人知道你是老赖！",
    "坐席: 我跟你说实话，我是法院的，传票这两天就送到你家。",
    "【{plat}】你已涉嫌诈骗，再不还款，今天就来抓你坐牢。",
    "[00:{mm}:{ss}] 坐席：你个傻逼，晚上走路小心点。",
    "坐席: 不还钱会影响你孩子考公，你自己看着办。",
]


def fill(t, r):
    return t.format(
        p=r.choice(PLACES), n=r.randint(1, 30), h=r.randint(8, 11), h2=r.randint(12, 18),
        name=r.choice(SURNAMES) + r.choice(GIVEN) + (r.choice(GIVEN) if r.random() < 0.5 else ""),
        plat=r.choice(PLATFORMS), amt=f"{r.randint(300, 50000)}.{r.randint(0, 99):02d}",
        m=r.randint(1, 12), d=r.randint(1, 28), mm=f"{r.randint(0, 59):02d}", ss=f"{r.randint(0, 59):02d}",
    )


def main():
    size = int(float(sys.argv[1]) * 1_000_000)
    out = sys.argv[2]
    r = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 20261123)
    written = 0
    with open(out, "w", encoding="utf-8") as f:
        while written < size:
            batch = []
            for _ in range(20000):
                x = r.random()
                if x < 0.03:
                    t = r.choice(ABUSE)
                elif x < 0.45:
                    t = r.choice(TOPICS)
                elif x < 0.70:
                    t = r.choice(SMS_OK)
                else:
                    t = r.choice(CALL_OK)
                batch.append(fill(t, r))
            text = "\n".join(batch) + "\n"
            f.write(text)
            written += len(text.encode("utf-8"))


if __name__ == "__main__":
    main()
